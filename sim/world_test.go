package sim_test

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/schemes"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

func world(t testing.TB, workers int, rate int64, policy snowflake.Policy, par int) *sim.World {
	t.Helper()
	ids := make([]sim.Identity, workers)
	for i := range ids {
		ids[i] = sim.Identity{Node: i}
	}
	w, err := sim.New(sim.Config{
		Seed:        42,
		Start:       start,
		Duration:    int64(2 * time.Second),
		Workers:     ids,
		Load:        sim.Load{Rate: sim.PerSecond(rate), Pattern: sim.Poisson},
		Scheme:      schemes.Snowflake{Layout: snowflake.Twitter, OnBackward: policy, MaxWait: 3 * time.Second},
		Parallelism: par,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// fingerprint hashes every recorded ID and time of every worker.
func fingerprint(w *sim.World) string {
	h := fnv.New64a()
	for _, l := range w.Logs() {
		l.Each(func(i int64, id uint64, t int64) bool {
			fmt.Fprint(h, l.Worker, id, t)
			return true
		})
	}
	return fmt.Sprintf("%x %+v", h.Sum64(), w.Summary())
}

func stepBack(w *sim.World, worker int, at, by int64) {
	w.At(at, func(now int64) {
		w.Workers()[worker].Clock().Step(now, by)
		w.Mark(sim.Activity{Fault: "step", Workers: []int{worker}, From: now, To: now - by})
	})
}

func TestDeterministicAcrossParallelism(t *testing.T) {
	var prints []string
	for _, par := range []int{1, 2, 7} {
		w := world(t, 16, 5000, snowflake.Ignore, par)
		stepBack(w, 3, int64(500*time.Millisecond), -int64(300*time.Millisecond))
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		prints = append(prints, fingerprint(w))
	}
	for _, p := range prints[1:] {
		if p != prints[0] {
			t.Fatalf("runs differ:\n%s\n%s", prints[0], p)
		}
	}
}

func TestArrivalsDoNotDependOnWorkerCount(t *testing.T) {
	first := func(workers int) []int64 {
		w := world(t, workers, 1000, snowflake.Error, 1)
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		var times []int64
		w.Logs()[0].Each(func(i int64, id uint64, tm int64) bool {
			times = append(times, tm)
			return i < 100
		})
		return times
	}
	if fmt.Sprint(first(2)) != fmt.Sprint(first(9)) {
		t.Error("worker 0's arrivals changed when workers were added")
	}
}

func TestBackwardStepPolicies(t *testing.T) {
	at, by := int64(time.Second), -int64(200*time.Millisecond)
	for _, tt := range []struct {
		policy   snowflake.Policy
		dups     bool
		errors   bool
		waitsFor int64
	}{
		{snowflake.Ignore, true, false, 0},
		{snowflake.Error, false, true, 0},
		{snowflake.Wait, false, false, -by},
	} {
		t.Run(tt.policy.String(), func(t *testing.T) {
			w := world(t, 4, 2000, tt.policy, 0)
			stepBack(w, 1, at, by)
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			s := w.Summary()
			dups := w.ExplainDuplicates(check.Duplicates(w.Logs()))
			if (len(dups) > 0) != tt.dups {
				t.Errorf("%d duplicates", len(dups))
			}
			if (s.Errors > 0) != tt.errors {
				t.Errorf("%d errors", s.Errors)
			}
			if s.Offered != s.Generated+s.Errors+s.Unserved {
				t.Errorf("offered %d != generated %d + errors %d + unserved %d", s.Offered, s.Generated, s.Errors, s.Unserved)
			}
			if tt.waitsFor > 0 && (s.WaitMax < tt.waitsFor*9/10 || s.WaitMax > tt.waitsFor) {
				t.Errorf("longest wait %v, want about %v", time.Duration(s.WaitMax), time.Duration(tt.waitsFor))
			}
			for _, d := range dups {
				if d.Copy.Worker != 1 || d.Original.Worker != 1 {
					t.Fatalf("duplicate on workers %d/%d, want 1", d.Original.Worker, d.Copy.Worker)
				}
				if fmt.Sprint(d.Faults) != "[step]" {
					t.Fatalf("faults %v, want [step]", d.Faults)
				}
				if d.Copy.Time < at || d.Copy.Time > at-by {
					t.Fatalf("copy at %v, outside the step's window", time.Duration(d.Copy.Time))
				}
				// The clocks read the same millisecond both times.
				if d.Copy.Clock/1e6 != d.Original.Clock/1e6 {
					t.Fatalf("clock readings %d and %d are in different ticks", d.Original.Clock, d.Copy.Clock)
				}
			}
			if tt.policy == snowflake.Ignore && len(s.Violations) != 1 {
				t.Errorf("%d order violations, want 1 (the first ID after the step)", len(s.Violations))
			}
		})
	}
}

func TestCrashRestartAndPause(t *testing.T) {
	w := world(t, 2, 1000, snowflake.Error, 0)
	wk := w.Workers()[0]
	w.At(int64(500*time.Millisecond), func(now int64) { wk.Crash(now) })
	w.At(int64(700*time.Millisecond), func(now int64) {
		if err := wk.Restart(now); err != nil {
			t.Error(err)
		}
	})
	w.At(int64(time.Second), func(now int64) { w.Workers()[1].Pause(now, int64(300*time.Millisecond)) })
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	s0, s1 := wk.Stats(), w.Workers()[1].Stats()
	if s0.Errors < 150 || s0.Errors > 250 || s0.ErrorKinds[0].Kind != sim.ErrWorkerDown.Error() {
		t.Errorf("worker 0: %d errors (%+v), want about 200 while down", s0.Errors, s0.ErrorKinds)
	}
	if s1.Errors != 0 || s1.LatencyMax < int64(250*time.Millisecond) {
		t.Errorf("worker 1: errors %d, max latency %v; want the pause to queue calls", s1.Errors, time.Duration(s1.LatencyMax))
	}
	var gap int64
	var prev int64
	wk.Log().Each(func(i int64, id uint64, tm int64) bool {
		gap = max(gap, tm-prev)
		prev = tm
		return true
	})
	if gap < int64(200*time.Millisecond) {
		t.Errorf("largest gap in worker 0's log %v, want the 200ms outage", time.Duration(gap))
	}
}

func TestFloodCappedAtCeiling(t *testing.T) {
	w := world(t, 2, 1000, snowflake.Error, 0)
	flood, _ := sim.ParseRate("10M/s")
	w.At(int64(200*time.Millisecond), func(now int64) {
		if err := w.Workers()[0].AddLoad(sim.Load{Rate: flood, Pattern: sim.Constant}, now, now+int64(300*time.Millisecond), "flood"); err != nil {
			t.Fatal(err)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	s := w.Summary()
	if s.PeakWorker != 0 || s.PeakWorkerRate != 4_096_000 {
		t.Errorf("peak %v IDs/s on worker %d, want 4096000 on worker 0", s.PeakWorkerRate, s.PeakWorker)
	}
	if len(check.Duplicates(w.Logs())) != 0 {
		t.Error("duplicates under flood")
	}
	if s.WaitedCalls == 0 {
		t.Error("no call waited for the next tick")
	}
}

func BenchmarkTwitter1024Workers(b *testing.B) {
	for i := 0; i < b.N; i++ {
		w := world(b, 1024, 20000, snowflake.Error, 0)
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
		check.Duplicates(w.Logs())
		b.ReportMetric(float64(w.Summary().Generated), "ids/op")
	}
}

// An event that cannot apply its effect makes Run fail instead of going
// on with a world that is not what the scenario describes.
func TestEventFailureStopsRun(t *testing.T) {
	w := world(t, 2, 100, snowflake.Error, 1)
	w.At(int64(time.Second), func(now int64) {
		wk := w.Workers()[1]
		wk.SetIdentity(now, sim.Identity{Node: 5000}) // beyond Twitter's 1024 nodes
		if err := wk.Restart(now); err != nil {
			w.Fail(err)
		}
	})
	if err := w.Run(); err == nil || !strings.Contains(err.Error(), "does not fit layout twitter") {
		t.Fatalf("Run() = %v", err)
	}
}
