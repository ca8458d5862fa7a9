package sim_test

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/schemes"
)

// Four workers run a Twitter-layout Snowflake that ignores backward
// clocks; at 1s, NTP steps worker 2's clock back 100ms.
func Example() {
	w, err := sim.New(sim.Config{
		Seed:     1,
		Start:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(),
		Duration: int64(2 * time.Second),
		Workers:  []sim.Identity{{Node: 0}, {Node: 1}, {Node: 2}, {Node: 3}},
		Load:     sim.Load{Rate: sim.PerSecond(5000), Pattern: sim.Poisson},
		Scheme:   schemes.Snowflake{Layout: snowflake.Twitter, OnBackward: snowflake.Ignore},
	})
	if err != nil {
		panic(err)
	}
	w.At(int64(time.Second), func(now int64) {
		w.Workers()[2].Clock().Step(now, -int64(100*time.Millisecond))
		w.Mark(sim.Activity{Fault: "ntp-step", Workers: []int{2}, From: now, To: now + int64(100*time.Millisecond)})
	})
	if err := w.Run(); err != nil {
		panic(err)
	}
	dups := w.ExplainDuplicates(check.Duplicates(w.Logs()))
	d := dups[0]
	fmt.Printf("%d duplicates; the first on worker %d at %v, blamed on %v\n",
		len(dups), d.Copy.Worker, time.Duration(d.Copy.Time).Round(time.Millisecond), d.Faults)
	// Output: 384 duplicates; the first on worker 2 at 1s, blamed on [ntp-step]
}
