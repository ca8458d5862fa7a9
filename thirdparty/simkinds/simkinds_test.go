package simkinds_test

import (
	"os"
	"strings"
	"testing"

	"github.com/idsim/idsim"
	"github.com/idsim/idsim/generators/vtime"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/thirdparty/simkinds"
)

// needVirtualTime skips without idsim's overlay of package time, unless
// IDSIM_VTIME=1 says it should be there (thirdparty/run sets it).
func needVirtualTime(t *testing.T) {
	t.Helper()
	if !vtime.Available() {
		if os.Getenv("IDSIM_VTIME") == "1" {
			t.Fatal(vtime.Err())
		}
		t.Skip(vtime.Err())
	}
}

func run(t *testing.T, src string) *reports.Results {
	t.Helper()
	simkinds.Register()
	sc, err := idsim.Parse("libs.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := idsim.Run(sc, idsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

const schemes = `schemes:
  - {label: sonyflake, kind: sonyflake_lib}
  - {label: bwmarrin, kind: bwmarrin_lib}
`

// TestLibrariesRunInTheSimulator runs both libraries, unmodified, at
// rates that make them wait — sonyflake sleeps once a 10 ms unit's 256
// IDs are used up, bwmarrin spins once a millisecond's 4096 are — and
// without faults: every ID unique and increasing, none refused, the
// waits taken in virtual time; a rerun is byte-identical.
func TestLibrariesRunInTheSimulator(t *testing.T) {
	needVirtualTime(t)
	src := `name: libs
seed: 5
duration: 500ms
workers: {count: 3}
load: {per_worker: 40000/s, pattern: poisson}
` + schemes + `
faults:
  - {kind: sequence_flood, at: 200ms, workers: [1], rate: 8000000/s, for: 2ms}
`
	res := run(t, src)
	for _, r := range res.Runs {
		if r.Generated < 30_000 || r.Errors != 0 || r.Duplicates != 0 || r.MonotonicViolations != 0 {
			t.Errorf("%s: %d IDs, %d errors, %d duplicates, %d out of order", r.Scheme, r.Generated, r.Errors, r.Duplicates, r.MonotonicViolations)
		}
		if r.DelayedCalls == 0 || r.WaitedCalls == 0 {
			t.Errorf("%s: %d delayed and %d waiting calls; the flood should make it wait", r.Scheme, r.DelayedCalls, r.WaitedCalls)
		}
	}
	if r := res.Runs[0]; r.PeakWorkerRate > 25_600*1.05 {
		t.Errorf("sonyflake issued %.0f IDs/s on one worker, above its 25,600/s", r.PeakWorkerRate)
	}
	a, _ := reports.JSON(res)
	b, _ := reports.JSON(run(t, src))
	if string(a) != string(b) {
		t.Error("a rerun gave different results.json")
	}
}

// TestRestartAfterTheClockWentBack sets worker 1's wall clock back 1 s and
// restarts it 200 ms later: both libraries keep their time in memory
// only (bwmarrin anchors on the monotonic clock, so the step alone does
// nothing to a running node — its issue 20), and the restarted instance
// repeats IDs it issued a second earlier; every repeat is blamed on both
// faults, and the worker's IDs go back once, at the restart.
func TestRestartAfterTheClockWentBack(t *testing.T) {
	needVirtualTime(t)
	res := run(t, `name: libs
seed: 5
duration: 2s
workers: {count: 3}
load: {per_worker: 2000/s, pattern: poisson}
`+schemes+`
faults:
  - {kind: clock_step, at: 1s, workers: [1], by: -1s}
  - {kind: restart, at: 1200ms, workers: [1], downtime: 10ms}
`)
	for _, r := range res.Runs {
		if r.Duplicates < 500 {
			t.Errorf("%s: %d duplicates; the restart should repeat the IDs of a second before", r.Scheme, r.Duplicates)
		}
		for _, g := range r.DuplicateGroups {
			if g.CopyWorker != 1 || g.OriginalWorker != 1 || strings.Join(g.Faults, ",") != "clock_step#1,restart#2" {
				t.Errorf("%s: group %d by %d of %d blamed on %v", r.Scheme, g.Count, g.CopyWorker, g.OriginalWorker, g.Faults)
			}
		}
		if r.MonotonicViolations != 1 {
			t.Errorf("%s: %d out of order; want one, where the restarted instance went back", r.Scheme, r.MonotonicViolations)
		}
		t.Logf("%s: %d IDs, %d duplicates: %s", r.Scheme, r.Generated, r.Duplicates, r.DuplicateGroups[0].Explanation)
	}
}

// TestNeedsTheOverlay: without the overlay the kinds are refused at
// load time, with the command that fixes it.
func TestNeedsTheOverlay(t *testing.T) {
	if vtime.Available() {
		t.Skip("built with the overlay")
	}
	simkinds.Register()
	_, err := idsim.Parse("libs.yaml", []byte("name: x\nduration: 1s\nworkers: {count: 1}\nload: {per_worker: 1/s}\nschemes:\n  - {label: s, kind: sonyflake_lib}\n"))
	if err == nil || !strings.Contains(err.Error(), "libs.yaml:6") || !strings.Contains(err.Error(), "idsim vtime overlay") {
		t.Fatalf("got %v", err)
	}
}

// TestStepAloneRepeatsNothing: the same step without the restart repeats
// nothing in either library, as on a real machine — sonyflake keeps
// issuing from the last time it used (and, once that unit's 256 IDs are
// gone, sleeps until the clock catches up, so calls queue behind it),
// and bwmarrin's node never sees the step, its time being the monotonic
// clock's since it was made.
func TestStepAloneRepeatsNothing(t *testing.T) {
	needVirtualTime(t)
	res := run(t, `name: libs
seed: 5
duration: 3s
workers: {count: 3}
load: {per_worker: 2000/s, pattern: poisson}
`+schemes+`
faults:
  - {kind: clock_step, at: 1s, workers: [1], by: -1s}
`)
	for _, r := range res.Runs {
		if r.Duplicates != 0 || r.MonotonicViolations != 0 || r.Errors != 0 || r.Generated < 15_000 {
			t.Errorf("%s: %d IDs, %d duplicates, %d out of order, %d errors", r.Scheme, r.Generated, r.Duplicates, r.MonotonicViolations, r.Errors)
		}
	}
	if sf, bw := res.Runs[0], res.Runs[1]; sf.LatencyMaxNs < 500e6 || bw.LatencyMaxNs > 10e6 {
		t.Errorf("longest delay: sonyflake %v (should sleep for most of the step), bwmarrin %v (should not wait)", sf.LatencyMaxNs, bw.LatencyMaxNs)
	}
}
