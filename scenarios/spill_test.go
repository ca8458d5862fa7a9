package scenarios

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idsim/idsim/reports"
)

// TestSpillSameOutputs runs shipped scenarios with the record forced to
// spill (a budget of one byte: every chunk that can go to disk does) and
// compares every output — results.json, report.md, duplicates.csv,
// charts and the HTML report — byte for byte with the run in memory.
func TestSpillSameOutputs(t *testing.T) {
	names := []string{"duplicate-worker-id", "compare-all"}
	if testing.Short() {
		names = names[:1]
	}
	for _, name := range names {
		sc, err := Embedded(name)
		if err != nil {
			t.Fatal(err)
		}
		mem, err := Run(sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var spilled int64
		disk, err := Run(sc, Options{recordBudget: 1, spilled: &spilled, TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if spilled == 0 {
			t.Fatalf("%s: nothing spilled", name)
		}
		for _, f := range []func(*reports.Results) ([]byte, error){reports.JSON, reports.Markdown, reports.CSV} {
			a, err1 := f(mem)
			b, err2 := f(disk)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s: an output differs when the record spills (%d bytes against %d)", name, len(b), len(a))
			}
		}
		if !bytes.Equal(render(t, mem), render(t, disk)) {
			t.Errorf("%s: charts or the HTML report differ when the record spills", name)
		}
		if mem.Runs[0].Duplicates == 0 && name == "duplicate-worker-id" {
			t.Errorf("%s: no duplicates to blame", name)
		}
		t.Logf("%s: %d bytes spilled", name, spilled)
	}
}

// TestSpillError makes the record fail to spill (its directory does not
// exist): the run returns an error saying so, and no results.
func TestSpillError(t *testing.T) {
	sc, err := Embedded("duplicate-worker-id")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "gone")
	res, err := Run(sc, Options{recordBudget: 1, TempDir: dir})
	if err == nil || res != nil || !strings.Contains(err.Error(), "making the file the record spills to") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("got %v, %v; want an error naming the spill file's directory", res != nil, err)
	}
}

// TestTenBillionAllowed checks the limits: 1e10 64-bit IDs load and fit
// a 20 GB budget by spilling; 1e9 128-bit IDs are the most; a budget too
// small even to spill within is refused, saying so.
func TestTenBillionAllowed(t *testing.T) {
	src := func(rate, kind string) string {
		return "name: big\nduration: 97600ms\nworkers: {count: 1024}\nload: {per_worker: " + rate + "}\nschemes:\n  - {label: s, kind: " + kind + "}\n"
	}
	sc, err := Parse("big.yaml", []byte(src("100000/s", "snowflake, layout: twitter")))
	if err != nil {
		t.Fatalf("1e10 IDs refused: %v", err)
	}
	e := sc.Estimate()
	if need, spills := e.Need(20e9); !spills || need > 20e9 {
		t.Errorf("1e10 IDs need %.3g bytes within 20 GB, spilling %v", need, spills)
	}
	if need, spills := e.Need(1e12); spills || need != e.Bytes() {
		t.Errorf("within 1 TB: %.3g bytes, spilling %v", need, spills)
	}
	if _, err := Parse("big.yaml", []byte(src("110000/s", "snowflake, layout: twitter"))); err == nil || !strings.Contains(err.Error(), "the limit is 1e+10") {
		t.Errorf("1.1e10 IDs: %v", err)
	}
	if _, err := Parse("big.yaml", []byte(src("11000/s", "uuidv7"))); err == nil || !strings.Contains(err.Error(), "the limit is 1e+09 for 128-bit IDs") {
		t.Errorf("1.1e9 128-bit IDs: %v", err)
	}
	_, err = Run(sc, Options{MaxMemory: 4e9})
	var be *BudgetError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "even with its record spilled to disk") {
		t.Errorf("1e10 IDs within 4 GB: %v", err)
	}
}
