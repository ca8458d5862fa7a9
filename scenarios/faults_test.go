package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/idsim/idsim/faults"
)

// Every fault kind has a scenario whose expectation holds with the fault
// and is violated without it: the fault is shown to do what it says, and
// the expectation to notice.
func TestEveryFaultHasAnObservableEffect(t *testing.T) {
	cases := map[string]struct{ scheme, fault, expect string }{
		"clock_step":          {"kind: snowflake, layout: twitter, on_clock_backward: ignore", "{kind: clock_step, at: 500ms, workers: [1], by: -300ms}", "{duplicates: \">0\"}"},
		"duplicate_worker_id": {"kind: snowflake, layout: twitter", "{kind: duplicate_worker_id, at: 0s, workers: [1, 2]}", "{duplicates: \">0\"}"},
		"sequence_flood":      {"kind: snowflake, layout: twitter", "{kind: sequence_flood, at: 500ms, for: 50ms, workers: [1], rate: 10M/s}", "{delayed_calls: \">0\"}"},
		"clock_drift":         {"kind: snowflake, layout: twitter", "{kind: clock_drift, at: 100ms, workers: [1], ppm: 200000}", "{late_ids: \">0\"}"},
		"clock_freeze":        {"kind: snowflake, layout: twitter", "{kind: clock_freeze, at: 300ms, for: 200ms, workers: [1]}", "{late_ids: \">0\"}"},
		"pause":               {"kind: snowflake, layout: twitter", "{kind: pause, at: 300ms, for: 100ms, workers: [1]}", "{delayed_calls: \">0\"}"},
		"restart":             {"kind: snowflake, layout: twitter", "{kind: restart, at: 300ms, workers: [1], downtime: 50ms}", "{errors: \">0\"}"},
		"db_outage":           {"kind: autoinc", "{kind: db_outage, at: 300ms, for: 50ms}", "{errors: \">0\"}"},
		// Renewals are lost, so the fenced holder stops issuing for the
		// rest of the partition.
		// Every renewal lost: the fenced holder stops for the rest of the
		// window (half of them lost rarely stops it: see the coordination
		// tests).
		"renewal_loss": {"kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 300ms, heartbeat: 100ms}", "{kind: renewal_loss, at: 200ms, for: 600ms, workers: [1], probability: 1}", "{delayed_calls: \">100\"}"},
		// Renewals confirmed too late for the fence.
		"network_delay":         {"kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 300ms, heartbeat: 100ms}", "{kind: network_delay, at: 200ms, for: 500ms, workers: [1], by: 250ms}", "{delayed_calls: \">100\"}"},
		"coordinator_partition": {"kind: snowflake, layout: twitter, worker_ids: {strategy: lease, ttl: 300ms, heartbeat: 100ms}", "{kind: coordinator_partition, at: 200ms, for: 600ms, workers: [1]}", "{delayed_calls: \">100\"}"},
	}
	for _, k := range faults.Kinds() {
		c, ok := cases[k.Kind]
		if !ok {
			t.Errorf("fault %s has no case here", k.Kind)
			continue
		}
		t.Run(k.Kind, func(t *testing.T) {
			for _, withFault := range []bool{true, false} {
				faultList := "faults: []"
				if withFault {
					faultList = "faults:\n  - " + c.fault
				}
				src := fmt.Sprintf("name: effect\nduration: 1s\nworkers: {count: 4}\nload: {per_worker: 1000/s}\nschemes:\n  - {label: s, %s}\n%s\nexpect:\n  s: %s\n",
					c.scheme, faultList, c.expect)
				sc, err := Parse(k.Kind+".yaml", []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				res, err := Run(sc, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Passed != withFault {
					e := res.Runs[0].Expectations[0]
					t.Errorf("with fault %v: expectation %s %s got %s, passed %v", withFault, e.Key, e.Want, e.Got, res.Passed)
				}
			}
		})
	}
	if len(cases) != len(faults.Kinds()) {
		var names []string
		for k := range cases {
			names = append(names, k)
		}
		t.Errorf("cases for %s, catalogue has %d kinds", strings.Join(names, ", "), len(faults.Kinds()))
	}
}
