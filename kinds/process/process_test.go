package process_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

// need fails the test when a program the examples run is missing: the
// development and CI machines have python3 and node.
func need(t *testing.T, progs ...string) {
	t.Helper()
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is needed to run this test: %v", p, err)
		}
	}
}

func runFile(t *testing.T, file string) *reports.Results {
	t.Helper()
	sc, err := scenarios.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func runSource(t *testing.T, src string) *reports.Results {
	t.Helper()
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse(file, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestExampleServicesThroughAClockStep runs the shipped Python and Node
// example services: the buggy ones repeat IDs, every repeat blamed on
// the step; the correct ones refuse instead and stay unique and ordered;
// both languages agree, and a rerun is byte-identical.
func TestExampleServicesThroughAClockStep(t *testing.T) {
	need(t, "python3", "node")
	file := filepath.Join("..", "..", "examples", "process-clock-step.yaml")
	res := runFile(t, file)
	if !res.Passed {
		t.Errorf("expectations failed: %+v", res.Runs)
	}
	byLabel := map[string]reports.Run{}
	for _, r := range res.Runs {
		byLabel[r.Scheme] = r
	}
	for _, lang := range []string{"python", "node"} {
		bad, good := byLabel[lang+"-buggy"], byLabel[lang+"-correct"]
		if bad.Duplicates == 0 || good.Duplicates != 0 || good.Errors == 0 || good.MonotonicViolations != 0 {
			t.Errorf("%s: buggy %d duplicates; correct %d duplicates, %d errors, %d out of order", lang, bad.Duplicates, good.Duplicates, good.Errors, good.MonotonicViolations)
		}
		for _, g := range bad.DuplicateGroups {
			if len(g.Faults) != 1 || g.Faults[0] != "clock_step#1" || g.OriginalWorker != g.CopyWorker {
				t.Errorf("%s: group not blamed on the step alone: %+v", lang, g)
			}
		}
	}
	if p, n := byLabel["python-buggy"], byLabel["node-buggy"]; p.Duplicates != n.Duplicates || p.Generated != n.Generated {
		t.Errorf("python and node disagree: %d/%d duplicates, %d/%d generated", p.Duplicates, n.Duplicates, p.Generated, n.Generated)
	}
	for _, r := range res.Runs {
		if len(r.Notes) != 0 {
			t.Errorf("%s says it uses the clock, yet the report notes %q", r.Scheme, r.Notes)
		}
	}
	again := runFile(t, file)
	a, _ := reports.JSON(res)
	b, _ := reports.JSON(again)
	if !bytes.Equal(a, b) {
		t.Error("a rerun gave different results.json")
	}
}

// TestPlainMaelstromProgram runs a program that knows none of the
// extensions: its text IDs are checked, and a restart — which starts
// the program again, its counter lost — repeats them, blamed on the
// restart.
func TestPlainMaelstromProgram(t *testing.T) {
	need(t, "python3")
	dir, _ := filepath.Abs("testdata")
	res := runSource(t, `name: plain
duration: 1s
workers: {count: 3}
load: {per_worker: 200/s}
schemes:
  - {label: plain, kind: process, command: [python3, `+filepath.Join(dir, "maelstrom_plain.py")+`]}
faults:
  - {kind: restart, at: 500ms, workers: [1], downtime: 10ms}
`)
	r := res.Runs[0]
	if r.Generated < 500 || r.Errors != 0 {
		t.Fatalf("generated %d, %d errors (%+v)", r.Generated, r.Errors, r.ErrorKinds)
	}
	if r.Duplicates == 0 {
		t.Fatal("the restarted program's counter started again, yet no duplicate was found")
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "4 of 4 program starts") || !strings.Contains(r.Notes[0], "not reproducible from the seed") {
		t.Errorf("a program on real time (3 starts and a restart, none declaring uses_clock) is not noted as such: %q", r.Notes)
	}
	g := r.DuplicateGroups[0]
	if g.OriginalWorker != 1 || g.CopyWorker != 1 || len(g.Faults) != 1 || g.Faults[0] != "restart#1" || !strings.HasPrefix(g.First.IDText, "n1-") {
		t.Errorf("group %+v", g)
	}
}

// TestMisbehavingPrograms checks that each way a program can break is
// an error with a clear cause — and the program's stderr where it said
// something — and that the run goes on and ends.
func TestMisbehavingPrograms(t *testing.T) {
	need(t, "python3")
	prog, _ := filepath.Abs(filepath.Join("testdata", "misbehave.py"))
	for _, tt := range []struct{ mode, want string }{
		{"crash", "misbehave: giving up after 2 calls"},
		{"garbage", "no protocol message"},
		{"silent", "no reply to msg_id"},
		{"wrong_reply", "replied to msg_id"},
		{"null_id", "no usable id"},
		{"error", "the program refused (code 11): not now"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			res := runSource(t, `name: bad
duration: 100ms
workers: {count: 1}
load: {per_worker: 100/s}
schemes:
  - {label: bad, kind: process, command: [python3, `+prog+`, `+tt.mode+`], timeout: 300ms}
`)
			r := res.Runs[0]
			if r.Generated != 2 || r.Errors != r.Offered-2 {
				t.Errorf("generated %d, %d errors of %d calls", r.Generated, r.Errors, r.Offered)
			}
			out, _ := json.Marshal(r.ErrorKinds)
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("errors %s do not say %q", out, tt.want)
			}
		})
	}
}

// TestBadProcessSchemes checks the scheme's keys.
func TestBadProcessSchemes(t *testing.T) {
	for _, tt := range []struct{ entry, want string }{
		{"{label: p, kind: process}", "needs a command"},
		{"{label: p, kind: process, command: []}", "needs a command"},
		{"{label: p, kind: process, command: [x], processes: some}", "processes: want per_worker"},
		{"{label: p, kind: process, command: [x], timeout: 0s}", "timeout must be positive"},
		{"{label: p, kind: process, command: [x], layout: twitter}", "process does not take layout"},
	} {
		_, err := scenarios.Parse("p.yaml", []byte("name: p\nduration: 1s\nworkers: {count: 1}\nload: {per_worker: 1/s}\nschemes:\n  - "+tt.entry+"\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.entry, err, tt.want)
		}
	}
	// A program that does not exist is bad input, said at once.
	src := "name: p\nduration: 1s\nworkers: {count: 1}\nload: {per_worker: 1/s}\nschemes:\n  - {label: p, kind: process, command: [/nonexistent/idsim-gen]}\n"
	sc, err := scenarios.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenarios.Run(sc, scenarios.Options{}); err == nil || !strings.Contains(err.Error(), "nonexistent") {
		t.Errorf("run: %v", err)
	}
}
