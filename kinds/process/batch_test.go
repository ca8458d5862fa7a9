package process_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idsim/idsim/reports"
)

// buildGoExample builds examples/go/snowflake into a temporary directory.
func buildGoExample(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "snowflake-go")
	cmd := exec.Command("go", "build", "-o", bin, "../../examples/go/snowflake")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the Go example: %v\n%s", err, out)
	}
	return bin
}

// sameRun compares two runs but for their labels, settings and
// expectations.
func sameRun(t *testing.T, a, b reports.Run) {
	t.Helper()
	a.Scheme, a.Config, a.Expectations = "", "", nil
	b.Scheme, b.Config, b.Expectations = "", "", nil
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("the batched and the plain form differ:\n%s\n%s", ja, jb)
	}
}

// TestBatchedFormGivesTheSameResults runs the Go and Python examples in
// their batched form and, with --no-batch, in the plain one, through a
// backward step, a restart and a pause: every figure and finding is the
// same (the batch form saves round trips and changes nothing else).
func TestBatchedFormGivesTheSameResults(t *testing.T) {
	need(t, "python3")
	bin := buildGoExample(t)
	py, _ := filepath.Abs("../../examples/python/snowflake.py")
	res := runSource(t, `name: batch
seed: 3
duration: 2s
workers: {count: 3}
load: {per_worker: 800/s, pattern: poisson}
schemes:
  - {label: go-batched, kind: process, command: [`+bin+`, --buggy]}
  - {label: go-plain, kind: process, command: [`+bin+`, --buggy, --no-batch]}
  - {label: go-correct-batched, kind: process, command: [`+bin+`], ordered: true}
  - {label: go-correct-plain, kind: process, command: [`+bin+`, --no-batch], ordered: true}
  - {label: py-batched, kind: process, command: [python3, `+py+`]}
  - {label: py-plain, kind: process, command: [python3, `+py+`, --no-batch]}
faults:
  - {kind: clock_step, at: 600ms, workers: [1], by: -300ms}
  - {kind: restart, at: 1s, workers: [2], downtime: 50ms}
  - {kind: pause, at: 1400ms, workers: [0], for: 20ms}
`)
	if len(res.Runs) != 6 {
		t.Fatalf("%d runs", len(res.Runs))
	}
	if r := res.Runs[0]; r.Duplicates == 0 || r.Generated < 4000 {
		t.Errorf("buggy Go example: %d duplicates of %d IDs; the step should repeat some", r.Duplicates, r.Generated)
	}
	if r := res.Runs[2]; r.Errors == 0 || r.Duplicates != 0 {
		t.Errorf("correct Go example: %d errors, %d duplicates; want refusals and no duplicates", r.Errors, r.Duplicates)
	}
	for i := 0; i < 6; i += 2 {
		sameRun(t, res.Runs[i], res.Runs[i+1])
	}
}

// TestSharedProgramSeesTrueTimeOrder runs one program for every worker
// (processes: one) that refuses a call from before one it has seen: the
// workers' calls reach it in true-time order, across windows cut by
// faults, and a rerun is byte-identical.
func TestSharedProgramSeesTrueTimeOrder(t *testing.T) {
	need(t, "python3")
	prog, _ := filepath.Abs(filepath.Join("testdata", "shared_order.py"))
	src := `name: shared
duration: 1s
workers: {count: 4}
load: {per_worker: 300/s, pattern: poisson}
schemes:
  - {label: shared, kind: process, processes: one, command: [python3, ` + prog + `], ordered: true}
faults:
  - {kind: clock_step, at: 400ms, workers: [2], by: -100ms}
`
	file := filepath.Join(t.TempDir(), "shared.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runFile(t, file)
	r := res.Runs[0]
	if r.Errors != 0 || r.Generated != r.Offered || r.Generated < 1000 || r.Duplicates != 0 {
		t.Fatalf("generated %d of %d, %d errors (%+v), %d duplicates", r.Generated, r.Offered, r.Errors, r.ErrorKinds, r.Duplicates)
	}
	a, _ := reports.JSON(res)
	b, _ := reports.JSON(runFile(t, file))
	if string(a) != string(b) {
		t.Error("a rerun gave different results.json")
	}
}

// TestMisbehavingBatchedPrograms checks each way a program can break the
// batched form: an error that says so, and the run goes on and ends.
func TestMisbehavingBatchedPrograms(t *testing.T) {
	need(t, "python3")
	prog, _ := filepath.Abs(filepath.Join("testdata", "misbehave_batch.py"))
	for _, tt := range []struct {
		mode, want string
		generated  bool // all but one call still get IDs
	}{
		{"count", "has %d ids for %d calls", false},
		{"no_index", "an error without an index", false},
		{"null_id", "no usable id (null)", true},
		{"error", "the program refused (code 11): not now", false},
		{"garbage", "no protocol message", false},
		{"bad_init", `init_ok's batch is {"batch":"yes"}`, false},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			res := runSource(t, `name: bad
duration: 100ms
workers: {count: 1}
load: {per_worker: 100/s}
schemes:
  - {label: bad, kind: process, command: [python3, `+prog+`, `+tt.mode+`], timeout: 2s}
`)
			r := res.Runs[0]
			want := int64(0)
			if tt.generated {
				want = r.Offered - 1
			}
			if r.Offered < 5 || r.Generated != want || r.Errors != r.Offered-want {
				t.Errorf("generated %d, %d errors of %d calls", r.Generated, r.Errors, r.Offered)
			}
			if tt.mode == "count" {
				tt.want = fmt.Sprintf(tt.want, r.Offered-1, r.Offered)
			}
			out, _ := json.Marshal(r.ErrorKinds)
			if !strings.Contains(string(out), tt.want) && !strings.Contains(strings.ReplaceAll(string(out), `\"`, `"`), tt.want) {
				t.Errorf("errors %s do not say %q", out, tt.want)
			}
		})
	}
}
