package idsim_test

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/idsim/idsim"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

// inHouse is a scheme idsim does not ship: a company's own 64-bit IDs of
// 41 bits of milliseconds since 2020, 10 bits of worker and a 12-bit
// counter, which trusts its clock blindly.
type inHouse struct{}

func (inHouse) Name() string    { return "inhouse" }
func (inHouse) Summary() string { return "our 41/10/12 IDs" }
func (inHouse) Keys() []string  { return nil }
func (inHouse) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	return inHouseScheme{}, m.Decode(&struct{}{})
}

type inHouseScheme struct{}

var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

func (inHouseScheme) IDBits() int                { return 64 }
func (inHouseScheme) Describe() string           { return "41-bit ms, 10-bit worker, 12-bit counter" }
func (inHouseScheme) Ordered() bool              { return true }
func (inHouseScheme) Text(_, lo uint64) string   { return strconv.FormatUint(lo, 10) }
func (inHouseScheme) Decode(_, lo uint64) string { return fmt.Sprintf("worker %d", lo>>12&1023) }
func (inHouseScheme) WorkerID(_ sim.Identity, _, lo uint64) string {
	return fmt.Sprintf("worker field %d", lo>>12&1023)
}
func (inHouseScheme) NewGenerator(env sim.Env) (sim.Instance, error) {
	return sim.Instance{Narrow: &inHouseGen{clock: env.Clock, worker: uint64(env.Identity.Datacenter<<5 | env.Identity.Node)}}, nil
}

// inHouseGen reads time only from the clock it is given.
type inHouseGen struct {
	clock   *sim.Clock
	worker  uint64
	lastMs  int64
	counter uint64
}

func (g *inHouseGen) TryNext() (uint64, time.Duration, error) {
	ms := g.clock.Now()/1e6 - epoch
	if ms != g.lastMs {
		g.lastMs, g.counter = ms, 0 // the bug: a clock that went back reuses old milliseconds
	} else if g.counter++; g.counter == 4096 {
		return 0, time.Millisecond, nil // wait for the next millisecond
	}
	return uint64(ms)<<22 | g.worker<<12 | g.counter, 0, nil
}

// A user's own generator registered as a scheme kind runs through a
// shipped fault scenario, and its duplicates are explained and blamed on
// the fault like a built-in kind's.
var once sync.Once

func registerOnce() { once.Do(func() { idsim.Register(inHouse{}) }) }

func Example_registerKind() {
	registerOnce()
	sc, err := idsim.WithSchemes("ntp-backward",
		`[{label: ours, kind: inhouse}, {label: builtin, kind: snowflake, layout: twitter, on_clock_backward: error}]`,
		`{ours: {unique: true}, builtin: {unique: true}}`)
	if err != nil {
		panic(err)
	}
	res, err := idsim.Run(sc, idsim.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Runs[0].DuplicateGroups[0].Explanation)
	for _, run := range res.Runs {
		fmt.Printf("%s: %d duplicates, passed %v\n", run.Scheme, run.Duplicates, run.Passed)
		for _, g := range run.DuplicateGroups {
			fmt.Printf("  %d by worker %d, blamed on %v\n", g.Count, g.CopyWorker, g.Faults)
		}
	}
	// Output:
	// Worker 3 (worker field 33) issued 1801 IDs it had already issued. The first repeat came at 2.000010976s, when its clock read 2026-01-01T00:00:00.500010976Z; it had issued that ID 1.499376975s earlier, at 500.634001ms, when its clock read 2026-01-01T00:00:00.500634001Z. In force: clock_step#1 (clock step backward by 1.5s on workers 3, 7 at 2s).
	// ours: 3629 duplicates, passed false
	//   1801 by worker 3, blamed on [clock_step#1]
	//   1828 by worker 7, blamed on [clock_step#1]
	// builtin: 0 duplicates, passed true
}
