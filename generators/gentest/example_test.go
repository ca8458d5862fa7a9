package gentest_test

import (
	"fmt"
	"strings"

	"github.com/idsim/idsim/generators/gentest"
)

// A hand-rolled Snowflake with the classic mistake: it restarts its
// sequence whenever the millisecond changes, even when the clock went
// back. Find shrinks the schedule that breaks Unique to a few steps.
func Example() {
	naive := func(env gentest.Env) (gentest.Generator, error) {
		var lastMs, seq int64 = -1, 0
		return gentest.Func(func() (gentest.ID, error) {
			ms := env.Clock.Now() / 1e6
			if ms == lastMs {
				seq++
			} else {
				lastMs, seq = ms, 0
			}
			return gentest.ID{Lo: uint64(ms)<<22 | uint64(env.Worker)<<12 | uint64(seq)}, nil
		}), nil
	}
	broken, report := gentest.Find(naive, gentest.Promises{Unique: true}, gentest.Options{MaxWorker: 1023, MaxBurst: 1000})
	fmt.Println("broken:", broken)
	schedule := report[strings.Index(report, "after this schedule"):]
	fmt.Print(schedule[:strings.Index(schedule, "\n\n")+1])
	// Output:
	// broken: true
	// after this schedule (instance: worker ID):
	//   i0: worker 0
	//     0  call i0
	//     1  step i0 clock -1ns
	//     2  call i0
	//     3  advance 1ns
	//     4  call i0
}
