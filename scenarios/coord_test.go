package scenarios

import (
	"slices"
	"strings"
	"testing"

	"github.com/idsim/idsim/reports"
)

// Under a crash loop, ephemeral_sequential_mod hands out worker IDs that
// live workers hold; every duplicate pairs the crash-looping worker with
// the live holder of the wrapped ID and is blamed on the restart. The
// create-if-absent strategies show none.
func TestEphemeralSequentialChurn(t *testing.T) {
	runs := runByScheme(runShipped(t, "ephemeral-sequential-churn"))
	r := runs["seq-mod"]
	if r.Duplicates == 0 {
		t.Fatal("seq-mod: no duplicates")
	}
	for _, d := range r.DuplicateList {
		a, b := d.Original.Worker, d.Copy.Worker
		if a != 63 && b != 63 || a == b {
			t.Fatalf("duplicate between workers %d and %d, want 63 and a live holder", a, b)
		}
		if !slices.Equal(d.Faults, []string{"restart#1"}) {
			t.Fatalf("duplicate blamed on %v", d.Faults)
		}
	}
	for _, g := range r.DuplicateGroups {
		if !strings.Contains(g.Explanation, "mod 1024") {
			t.Errorf("explanation does not show the wrap: %s", g.Explanation)
		}
	}
	for _, label := range []string{"lowest-free", "lease"} {
		if runs[label].Duplicates != 0 {
			t.Errorf("%s: %d duplicates", label, runs[label].Duplicates)
		}
		if runs[label].WorkerIDGrants != r.WorkerIDGrants {
			t.Errorf("%s: %d grants, seq-mod %d: the same restarts should claim the same number of times", label, runs[label].WorkerIDGrants, r.WorkerIDGrants)
		}
	}
	// 64 workers at the start and one claim per restart.
	if r.WorkerIDGrants != 64+1200 {
		t.Errorf("%d grants, want 1264", r.WorkerIDGrants)
	}
}

// A paused worker whose lease expired keeps issuing when it wakes unless
// it fences itself; its duplicates are blamed on the pause (the lease
// expired during it) and on the restart that claimed the ID.
func TestZombieLease(t *testing.T) {
	runs := runByScheme(runShipped(t, "zombie-lease"))
	r := runs["no-margin"]
	if r.Duplicates == 0 {
		t.Fatal("no-margin: no duplicates")
	}
	for _, d := range r.DuplicateList {
		if w := []int{d.Original.Worker, d.Copy.Worker}; !slices.Contains(w, 3) || !slices.Contains(w, 20) {
			t.Fatalf("duplicate between workers %v, want 3 and 20", w)
		}
		if !slices.Equal(d.Faults, []string{"pause#1", "restart#2"}) {
			t.Fatalf("duplicate blamed on %v", d.Faults)
		}
		// The zombie issues after the pause, before it hears the lease is
		// gone: within a round trip (4ms) plus a tick of waking.
		if d.Copy.AtNs < 6e9 || d.Copy.AtNs > 6.006e9 {
			t.Errorf("duplicate at %s, want just after the pause ends at 6s", d.Copy.At)
		}
	}
	if g := r.DuplicateGroups[0].Explanation; !strings.Contains(g, "expired at 3.5") || !strings.Contains(g, "while pause#1 held the worker") {
		t.Errorf("explanation: %s", g)
	}
	if m := runs["margin"]; m.Duplicates != 0 {
		t.Errorf("margin: %d duplicates", m.Duplicates)
	}
}

// A restart after a backward step repeats the old process's IDs unless
// it waits out the skew or starts after the persisted timestamp.
func TestRestartAfterBackwardStep(t *testing.T) {
	runs := runByScheme(runShipped(t, "restart-clock-back"))
	r := runs["no-mitigation"]
	if r.Duplicates == 0 {
		t.Fatal("no-mitigation: no duplicates")
	}
	for _, d := range r.DuplicateList {
		if d.Original.Worker != 5 || d.Copy.Worker != 5 {
			t.Fatalf("duplicate between workers %d and %d, want 5 with itself", d.Original.Worker, d.Copy.Worker)
		}
		if !slices.Equal(d.Faults, []string{"restart#1", "clock_step#2"}) {
			t.Fatalf("duplicate blamed on %v", d.Faults)
		}
	}
	for _, label := range []string{"wait-out-skew", "persist-last"} {
		if runs[label].Duplicates != 0 {
			t.Errorf("%s: %d duplicates", label, runs[label].Duplicates)
		}
	}
	// Persisting waits only as long as needed: less than waiting out
	// the whole skew at every start.
	if p, w := runs["persist-last"].WaitTotalNs, runs["wait-out-skew"].WaitTotalNs; p*10 > w {
		t.Errorf("persisting waited %d ns in total, waiting out the skew %d", p, w)
	}
}

// A partition cuts a holder off from the coordinator: its renewals are
// lost, its lease expires, and a restarting worker is given its ID.
// Unfenced, the cut-off holder never hears that and keeps issuing;
// fenced, it stops before the lease can expire. A worker starting while
// cut off waits for an ID.
func TestCoordinatorPartition(t *testing.T) {
	src := `name: partition
duration: 4s
workers: {count: 4}
load: {per_worker: 2000/s}
schemes:
  - {label: unfenced, kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 1s, heartbeat: 250ms, safety_margin: none}}
  - {label: fenced,   kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 1s, heartbeat: 250ms, safety_margin: 250ms}}
faults:
  - {kind: coordinator_partition, at: 500ms, for: 3s, workers: [1]}
  - {kind: restart, at: 2500ms, workers: [2], downtime: 10ms}
  - {kind: coordinator_partition, at: 0s, for: 1s, workers: [3]}
expect:
  unfenced: {duplicates: ">0"}
  fenced:   {unique: true}
`
	sc, err := Parse("partition.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs := runByScheme(res)
	if !res.Passed {
		t.Fatalf("unfenced %d duplicates, fenced %d", runs["unfenced"].Duplicates, runs["fenced"].Duplicates)
	}
	for _, d := range runs["unfenced"].DuplicateList {
		if !slices.Equal(d.Faults, []string{"coordinator_partition#1", "restart#2"}) {
			t.Fatalf("blamed on %v", d.Faults)
		}
		if d.Copy.AtNs < 2.5e9 || d.Copy.AtNs > 3.5e9 {
			t.Fatalf("duplicate at %s, outside the reassignment to the end of the partition", d.Copy.At)
		}
	}
	for _, r := range res.Runs {
		if r.CoordinatorDropped == 0 {
			t.Errorf("%s: no request dropped", r.Scheme)
		}
		// Worker 3 starts cut off: ~2000 calls wait for its ID.
		if r.DelayedCalls < 1500 || r.LatencyMaxNs < 9e8 {
			t.Errorf("%s: %d delayed calls, longest %v: the cut-off start did not wait", r.Scheme, r.DelayedCalls, r.LatencyMaxNs)
		}
	}
}

// Random renewal losses are drawn from the run's seeded stream: about
// the given fraction is lost, and a rerun loses the same ones.
func TestRenewalLossIsSeeded(t *testing.T) {
	src := `name: loss
duration: 10s
workers: {count: 8}
load: {per_worker: 1000/s}
schemes:
  - {label: lease, kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 1s, heartbeat: 100ms, safety_margin: 600ms}}
faults:
  - {kind: renewal_loss, at: 0s, for: 10s, workers: all, probability: 0.5}
`
	run := func(seed uint64) *reports.Run {
		sc, err := Parse("loss.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(sc, Options{Seed: seed, SeedSet: true})
		if err != nil {
			t.Fatal(err)
		}
		return &res.Runs[0]
	}
	a, b, c := run(1), run(1), run(2)
	// 8 workers renew about 100 times each; half are lost.
	if f := float64(a.CoordinatorDropped) / float64(a.CoordinatorRequests-8); f < 0.4 || f > 0.6 {
		t.Errorf("%d of %d requests lost", a.CoordinatorDropped, a.CoordinatorRequests)
	}
	if a.CoordinatorDropped != b.CoordinatorDropped || a.DelayedCalls != b.DelayedCalls || a.Generated != b.Generated {
		t.Error("the same seed lost different renewals")
	}
	if a.CoordinatorDropped == c.CoordinatorDropped && a.DelayedCalls == c.DelayedCalls {
		t.Error("another seed lost the same renewals")
	}
	// Four losses in a row (400ms without a confirmation) stop the
	// fenced holder: with 800 renewals at p=1/2 that happens.
	if a.DelayedCalls == 0 {
		t.Error("the fence never stopped a holder")
	}
}

// A monotonic-anchor generator runs ahead of a wall clock stepped back:
// the persisted high-water mark must follow the generator's time, not
// the wall clock's, or the restarted process repeats IDs (it did, 1,896
// of them, before the mark used snowflake.Generator.Last).
func TestPersistedMarkFollowsAnAnchoredGenerator(t *testing.T) {
	src := `name: anchor-persist
duration: 6s
workers: {count: 8}
load: {per_worker: 5000/s, pattern: poisson}
schemes:
  - {label: persist, kind: snowflake, layout: twitter, on_clock_backward: monotonic_anchor, worker_ids: {strategy: static, persist_last_timestamp: true, heartbeat: 500ms}}
faults:
  - {kind: clock_step, at: 1s, workers: [4], by: -2s}
  - {kind: restart,    at: 2s, workers: [4], downtime: 100ms}
expect:
  persist: {unique: true}
`
	sc, err := Parse("anchor.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed {
		t.Errorf("%d duplicates", res.Runs[0].Duplicates)
	}
}
