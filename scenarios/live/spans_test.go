package live

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

// spansScenario has one fault of every kind a live run injects, on a
// lease-coordinated Snowflake so that the coordinator faults apply.
const spansScenario = `name: spans
duration: 3s
workers: {count: 6}
load: {per_worker: 100/s}
schemes:
  - {label: lease, kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 2s}}
faults:
  - {kind: clock_step, at: 100ms, workers: [2, 1], by: -300ms}
  - {kind: clock_step, at: 150ms, workers: [3], by: 200ms}
  - {kind: pause, at: 200ms, for: 400ms, workers: [0]}
  - {kind: restart, at: 300ms, workers: [4, 5], downtime: 50ms, stagger: 20ms, every: 500ms, times: 2}
  - {kind: restart, at: 1s, workers: all, downtime: 10ms}
  - {kind: coordinator_partition, at: 1200ms, for: 300ms, workers: all}
  - {kind: renewal_loss, at: 1300ms, for: 500ms, workers: [1], probability: 0.5}
  - {kind: network_delay, at: 1400ms, for: 200ms, workers: [2], by: 30ms}
`

type flatSpan struct {
	fault    string
	worker   int
	from, to int64
}

// flatten lists every (fault, worker, from, to) of the results' fault
// activity, a span with no workers standing for all.
func flatten(res *reports.Results, workers int) []flatSpan {
	var out []flatSpan
	for _, f := range res.Faults {
		for _, a := range f.Active {
			ws := a.Workers
			if len(ws) == 0 {
				for w := range workers {
					ws = append(ws, w)
				}
			}
			for _, w := range ws {
				out = append(out, flatSpan{f.ID, w, a.FromNs, a.ToNs})
			}
		}
	}
	slices.SortFunc(out, func(a, b flatSpan) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

// TestLiveAndSimulatedSpansAgree checks, for every fault kind a live run
// injects, that the activity spans a live run reports — the windows its
// findings are blamed on — are the simulator's for the same scenario.
func TestLiveAndSimulatedSpansAgree(t *testing.T) {
	sc, err := scenarios.Parse("spans.yaml", []byte(spansScenario))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(sc); err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, f := range sc.Faults {
		covered[f.Kind()] = true
	}
	for _, k := range Faults() {
		if !covered[k] {
			t.Errorf("the scenario has no %s fault", k)
		}
	}
	simRes, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	liveRes := scenarios.NewResults(sc, sc.Seed, "")
	plan := newPlan(sc, sc.Seed)
	addSpans(liveRes, plan)
	got, want := flatten(liveRes, sc.Workers), flatten(simRes, sc.Workers)
	if len(want) == 0 {
		t.Fatal("the simulator marked no activity")
	}
	if !slices.Equal(got, want) {
		t.Errorf("live spans differ from the simulator's:\nlive %v\nsim  %v", got, want)
	}
}

// TestLiveRefusesEverySimulatorOnlyFault checks that each fault kind
// without a live action is refused by name, with its line.
func TestLiveRefusesEverySimulatorOnlyFault(t *testing.T) {
	extra := map[string]string{
		"duplicate_worker_id": "{kind: duplicate_worker_id, workers: [1, 2]}",
		"sequence_flood":      "{kind: sequence_flood, at: 1s, for: 10ms, workers: [1], rate: 1000/s}",
		"clock_drift":         "{kind: clock_drift, at: 1s, workers: [1], ppm: 100}",
		"clock_freeze":        "{kind: clock_freeze, at: 1s, for: 10ms, workers: [1]}",
		"db_outage":           "{kind: db_outage, at: 1s, for: 10ms}",
	}
	live := Faults()
	for _, k := range faults.Kinds() {
		if slices.Contains(live, k.Kind) {
			continue
		}
		entry, ok := extra[k.Kind]
		if !ok {
			t.Errorf("no test entry for simulator-only fault %s", k.Kind)
			continue
		}
		src := spansScenario + "  - " + entry + "\n"
		if k.Kind == "db_outage" {
			src = strings.Replace(src, "schemes:\n", "schemes:\n  - {label: db, kind: autoinc}\n", 1)
		}
		sc, err := scenarios.Parse("x.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", k.Kind, err)
		}
		err = Check(sc)
		if err == nil || !strings.Contains(err.Error(), k.Kind) {
			t.Errorf("%s: Check said %v", k.Kind, err)
		}
	}
}
