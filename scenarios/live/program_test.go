package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
	"github.com/idsim/idsim/scenarios/live"
)

// helperEnv makes this test binary a program speaking the protocol (see
// TestMain): a Go program, which libfaketime cannot reach.
const helperEnv = "IDSIM_LIVE_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "counter128" {
		counter128()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// counter128 issues 128-bit IDs, 0x8000…<worker> in the high half and a
// counter in the low half, so that workers never collide unless the high
// half is lost, and a restart (the counter starts again) repeats IDs.
func counter128() {
	in := bufio.NewScanner(os.Stdin)
	var worker, n uint64
	for in.Scan() {
		var msg struct {
			Src, Dest string
			Body      map[string]any
		}
		if err := json.Unmarshal(in.Bytes(), &msg); err != nil {
			os.Exit(2)
		}
		out := map[string]any{"in_reply_to": msg.Body["msg_id"]}
		if msg.Body["type"] == "init" {
			worker = uint64(msg.Body["worker"].(float64))
			out["type"] = "init_ok"
		} else {
			n++
			out["type"] = "generate_ok"
			out["id"] = fmt.Sprintf("0x%016x%016x", 1<<63|worker, n)
		}
		b, _ := json.Marshal(map[string]any{"src": msg.Dest, "dest": msg.Src, "body": out})
		os.Stdout.Write(append(b, '\n'))
	}
}

// need fails the test when a program the examples run is missing: CI
// has python3 and node.
func need(t *testing.T, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is not installed: the live process tests run the examples with it", p)
		}
	}
}

func run(t *testing.T, name, src string) *reports.Results {
	t.Helper()
	sc, err := scenarios.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return runScenario(t, sc)
}

func runScenario(t *testing.T, sc *scenarios.Scenario) *reports.Results {
	t.Helper()
	if err := live.Check(sc); err != nil {
		t.Fatal(err)
	}
	res, err := live.Run(context.Background(), sc, live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Runs {
		t.Logf("%s: %d generated, %d errors, %d duplicates, %d out of order; notes %q", r.Scheme, r.Generated, r.Errors, r.Duplicates, r.MonotonicViolations, r.Notes)
	}
	return res
}

func byScheme(res *reports.Results, label string) reports.Run {
	for _, r := range res.Runs {
		if r.Scheme == label {
			return r
		}
	}
	panic("no scheme " + label)
}

// examples/process-live-clock-step.yaml: worker 1's clock steps back 1 s
// at 1.5 s and stays behind to the end.
// The Python and Node services on real time (--real-time: they ignore
// clock and read the machine's clock) get the step through libfaketime:
// the buggy ones repeat IDs of the second before the step, every
// duplicate blamed on it and on worker 1; the correct ones refuse
// instead and repeat nothing. The buggy Python service taking its time
// from clock gets the step in clock and repeats IDs too. What holds
// under any scheduling: the repeats (a buggy service issuing at all in
// the second after the step lands on milliseconds it used in the second
// before) and none from the correct services.
func TestLiveProgramsGetClockSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five programs for 2.5s each in real time")
	}
	need(t, "python3", "node")
	if _, err := live.Faketime(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v: in CI this test runs, it does not skip (.ci/run installs faketime)", err)
		}
		t.Skipf("%v", err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sc, err := scenarios.Load("../../examples/process-live-clock-step.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := runScenario(t, sc)
	if !res.Passed {
		t.Error("an expectation failed")
	}
	for _, label := range []string{"python-buggy", "node-buggy", "python-clock"} {
		r := byScheme(res, label)
		if r.Duplicates == 0 {
			t.Errorf("%s: no duplicates after the clock stepped back", label)
		}
		for _, g := range r.DuplicateGroups {
			if g.OriginalWorker != 1 || g.CopyWorker != 1 || !slices.Contains(g.Faults, "clock_step#1") {
				t.Errorf("%s: a duplicate not blamed on worker 1's step: %+v", label, g)
			}
		}
	}
	for _, label := range []string{"python-correct", "node-correct"} {
		r := byScheme(res, label)
		if r.Duplicates != 0 || r.MonotonicViolations != 0 {
			t.Errorf("%s: %d duplicates, %d out of order", label, r.Duplicates, r.MonotonicViolations)
		}
		refused := false
		for _, e := range r.ErrorKinds {
			refused = refused || strings.Contains(e.Kind, "clock moved backwards")
		}
		if !refused {
			t.Errorf("%s: never refused for a clock behind: %+v", label, r.ErrorKinds)
		}
	}
	for _, label := range []string{"python-buggy", "python-correct", "node-buggy", "node-correct"} {
		if notes := strings.Join(byScheme(res, label).Notes, " "); !strings.Contains(notes, "libfaketime gave them the clock steps") {
			t.Errorf("%s: the notes do not say libfaketime stepped its clock: %q", label, notes)
		}
	}
	if notes := strings.Join(byScheme(res, "python-clock").Notes, " "); strings.Contains(notes, "real time") || strings.Contains(notes, "machine's clock") {
		t.Errorf("python-clock takes its time from clock, yet: %q", notes)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "idsim-faketime-*")); len(left) > 0 {
		t.Errorf("timestamp files left behind: %v", left)
	}
}

// A restart kills worker 1's program and starts it again: its counter
// starts over, so it repeats its own IDs, blamed on the restart. The
// program is this test binary, a Go program: the run says that
// libfaketime does not reach it. Its IDs are 128-bit, the worker in the
// high half: had the high half been lost, the two workers' IDs would
// collide.
func TestLiveProgramRestartRespawns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a program for 1.2s in real time")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`name: live-restart
duration: 1200ms
workers: {count: 2}
load: {per_worker: 300/s, pattern: poisson}
schemes:
  - {label: counter, kind: process, command: [%q], env: {%s: counter128}}
faults:
  - {kind: restart, at: 600ms, workers: [1], downtime: 20ms}
  - {kind: clock_step, at: 300ms, workers: [0], by: -100ms}
expect:
  counter: {duplicates: ">0"}
`, self, helperEnv)
	sc, err := scenarios.Parse("live-restart.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if w := live.Warnings(sc); len(w) != 1 || !strings.Contains(w[0], "Go program") || !strings.Contains(w[0], "vDSO") {
		t.Errorf("warnings for a Go program: %q", w)
	}
	res := run(t, "live-restart.yaml", src)
	r := res.Runs[0]
	if r.Duplicates == 0 || r.IDBits != 128 {
		t.Fatalf("restart: %d duplicates of %d-bit IDs, want some 128-bit ones", r.Duplicates, r.IDBits)
	}
	for _, g := range r.DuplicateGroups {
		if g.OriginalWorker != 1 || g.CopyWorker != 1 || !slices.Contains(g.Faults, "restart#1") {
			t.Errorf("a duplicate not blamed on worker 1's restart: %+v", g)
		}
		if id := g.First.IDText; !strings.HasPrefix(id, "0x8000000000000001") || len(id) != 34 {
			t.Errorf("a duplicate's ID is not the 128-bit one the program wrote: %s", id)
		}
	}
	if notes := strings.Join(r.Notes, " "); !strings.Contains(notes, "libfaketime does not reach Go programs") {
		t.Errorf("the notes do not say libfaketime misses Go programs: %q", notes)
	}
}

// Warnings name Go programs, `go run` included, and nothing else.
func TestLiveWarnsOfGoPrograms(t *testing.T) {
	self, _ := os.Executable()
	src := fmt.Sprintf(`name: warn
duration: 1s
workers: {count: 1}
load: {per_worker: 10/s}
schemes:
  - {label: self, kind: process, command: [%q]}
  - {label: gorun, kind: process, command: [go, run, ./cmd/gen]}
  - {label: py, kind: process, command: [python3, gen.py]}
  - {label: sf, kind: snowflake, layout: twitter}
`, self)
	sc, err := scenarios.Parse("warn.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := live.Warnings(sc)
	if len(w) != 2 || !strings.Contains(w[0], "scheme self") || !strings.Contains(w[1], "scheme gorun") {
		t.Errorf("warnings: %q", w)
	}
}

// Without libfaketime, a program on real time under a clock step is
// refused, saying what to install; IDSIM_LIBFAKETIME=off runs it without.
func TestLiveNeedsFaketimeForProgramsOnRealTime(t *testing.T) {
	src := `name: ft
duration: 1s
workers: {count: 2}
load: {per_worker: 10/s}
schemes:
  - {label: py, kind: process, command: [python3, gen.py]}
faults:
  - {kind: clock_step, at: 500ms, workers: [1], by: -100ms}
`
	sc, err := scenarios.Parse("ft.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(live.FaketimeEnv, filepath.Join(t.TempDir(), "libfaketime.so.1"))
	if err := live.Check(sc); err == nil || !strings.Contains(err.Error(), "libfaketime") || !strings.Contains(err.Error(), "scheme py (line 6)") {
		t.Errorf("Check with no libfaketime: %v", err)
	}
	t.Setenv(live.FaketimeEnv, "off")
	if err := live.Check(sc); err != nil {
		t.Errorf("Check with %s=off: %v", live.FaketimeEnv, err)
	}
	// No clock step, no need.
	sc, _ = scenarios.Parse("ft.yaml", []byte(strings.Split(src, "faults:")[0]))
	t.Setenv(live.FaketimeEnv, filepath.Join(t.TempDir(), "nothing"))
	if err := live.Check(sc); err != nil {
		t.Errorf("Check without clock steps: %v", err)
	}
}
