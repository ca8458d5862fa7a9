// Package simkinds runs unmodified third-party ID libraries —
// sony/sonyflake v1.2.0 and bwmarrin/snowflake v0.3.0, the exact
// versions this module pins — as idsim scheme kinds, so that scenario
// files, every fault, the checks, explanations and reports apply to the
// library a user runs in production.
//
// The libraries read time.Now and call time.Sleep themselves. Built with
// idsim's overlay of package time (`idsim vtime overlay DIR`, see
// generators/vtime), each worker's library instance reads that worker's
// virtual clock: the hook is installed around each step of the
// generator only, and the step runs under sim.Blocking, so a library
// that sleeps (sonyflake, when a 10 ms unit's 256 IDs are used up) or
// spins (bwmarrin, waiting for the next millisecond) hands the wait to
// the simulator instead of blocking. The schemes are sim.SharedScheme:
// the hook is one for the whole program, so the world runs the workers
// one at a time, in true-time order.
//
// Register adds the kinds sonyflake_lib and bwmarrin_lib:
//
//	simkinds.Register()
//	sc, _ := idsim.Parse("s.yaml", src) // schemes: [{label: sf, kind: sonyflake_lib}]
//	res, _ := idsim.Run(sc, idsim.Options{})
//
// This is a module of its own so that its requirements (the pinned
// library versions) reach no user of idsim. Its tests run in CI through
// thirdparty/run, which builds them with the overlay.
package simkinds

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/snowflake"
	"github.com/sony/sonyflake"

	"github.com/idsim/idsim"
	"github.com/idsim/idsim/generators/vtime"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var once sync.Once

// Register makes the kinds sonyflake_lib and bwmarrin_lib available to
// scenario files; it may be called more than once.
func Register() {
	once.Do(func() {
		idsim.Register(libKind{
			name:    "sonyflake_lib",
			summary: "github.com/sony/sonyflake v1.2.0, unmodified, in virtual time: 39 bits of 10 ms since 2020, 8-bit sequence, 16-bit machine ID (the worker's node); keeps issuing from its last time when the clock goes back, sleeps when a unit's 256 IDs are used up",
			build:   newSonyflake,
			decode: func(id uint64) string {
				return fmt.Sprintf("10-ms unit %d, sequence %d, machine %d", id>>24, id>>16&255, id&65535)
			},
			worker: func(id uint64) uint64 { return id & 65535 },
		})
		idsim.Register(libKind{
			name:    "bwmarrin_lib",
			summary: "github.com/bwmarrin/snowflake v0.3.0, unmodified, in virtual time: 41 bits of ms since 2020, 10-bit node (the worker's node), 12-bit step; anchored on the monotonic clock, spins for the next millisecond",
			build:   newBwmarrin,
			decode: func(id uint64) string {
				return fmt.Sprintf("ms %d, node %d, step %d", id>>22, id>>12&1023, id&4095)
			},
			worker: func(id uint64) uint64 { return id >> 12 & 1023 },
		})
	})
}

// Epoch is the start time both libraries are given: IDs count time from
// it. A scenario whose clocks read earlier is refused by the library.
var Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// libKind is a scheme kind backed by one library.
type libKind struct {
	name, summary string
	// build makes the library's generator for a worker; it runs with
	// the worker's clock installed, counting time from epoch.
	build  func(env sim.Env, epoch time.Time) (func() (uint64, error), error)
	decode func(id uint64) string
	worker func(id uint64) uint64
}

func (k libKind) Name() string    { return k.name }
func (k libKind) Summary() string { return k.summary }
func (k libKind) Keys() []string  { return nil }

// Parse takes no keys beyond label and kind.
func (k libKind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	if err := m.Decode(&struct{}{}); err != nil {
		return nil, err
	}
	if err := vtime.Err(); err != nil {
		return nil, spec.Errorf(m.P, "scheme %q (kind %s) runs an unmodified library in virtual time: %v", env.Label, k.name, err)
	}
	return &libScheme{k: k}, nil
}

// libScheme is a validated scheme of a libKind.
type libScheme struct{ k libKind }

func (s *libScheme) IDBits() int      { return 64 }
func (s *libScheme) Describe() string { return s.k.name }
func (s *libScheme) Ordered() bool    { return true }
func (s *libScheme) Shared() bool     { return true }
func (s *libScheme) Text(_, lo uint64) string {
	return strconv.FormatUint(lo, 10)
}
func (s *libScheme) Decode(_, lo uint64) string { return s.k.decode(lo) }

// WorkerID names the machine or node field the ID carries.
func (s *libScheme) WorkerID(_ sim.Identity, _, lo uint64) string {
	return fmt.Sprintf("node field %d", s.k.worker(lo))
}

// NewGenerator builds the library's generator for a worker, reading the
// worker's clock, and wraps it for the simulator.
func (s *libScheme) NewGenerator(env sim.Env) (sim.Instance, error) {
	g := &libGen{}
	g.cur = forward{simClock{env.Clock}}
	restore := vtime.UseUnlocked(&g.cur)
	next, err := s.k.build(env, Epoch)
	restore()
	if err != nil {
		return sim.Instance{}, err
	}
	g.b = sim.NewBlocking(env.Clock, func(c sim.BlockingClock) (uint64, error) {
		g.cur.c = c // the library's sleeps and spins now suspend the call
		return next()
	})
	return sim.Instance{Narrow: g}, nil
}

// libGen steps a library's generator with the worker's clock installed.
type libGen struct {
	b   *sim.Blocking
	cur forward
}

// TryNext installs the worker's clock, runs (or resumes) the library's
// call, and restores the clock before anything else runs.
func (g *libGen) TryNext() (uint64, time.Duration, error) {
	restore := vtime.UseUnlocked(&g.cur)
	defer restore()
	return g.b.TryNext()
}

// forward is the clock vtime reads: the current call's blocking clock.
type forward struct{ c sim.BlockingClock }

func (f *forward) Now() int64            { return f.c.Now() }
func (f *forward) Monotonic() int64      { return f.c.Monotonic() }
func (f *forward) Sleep(d time.Duration) { f.c.Sleep(d) }

// simClock is a worker's clock as a BlockingClock outside a call (while
// the library is built): it reads, and cannot sleep.
type simClock struct{ c *sim.Clock }

func (c simClock) Now() int64          { return c.c.Now() }
func (c simClock) Monotonic() int64    { return c.c.Monotonic() }
func (c simClock) Sleep(time.Duration) { panic("simkinds: the library slept while being built") }

// newSonyflake builds sony/sonyflake v1.2.0 with the worker's node as
// its machine ID.
func newSonyflake(env sim.Env, epoch time.Time) (func() (uint64, error), error) {
	sf, err := sonyflake.New(sonyflake.Settings{
		StartTime: epoch,
		MachineID: func() (uint16, error) { return uint16(env.Identity.Node), nil },
	})
	if err != nil {
		return nil, err
	}
	return sf.NextID, nil
}

// newBwmarrin builds bwmarrin/snowflake v0.3.0 with the worker's node as
// its node number. The library's epoch is a package variable read when
// a node is made.
func newBwmarrin(env sim.Env, epoch time.Time) (func() (uint64, error), error) {
	snowflake.Epoch = epoch.UnixMilli()
	n, err := snowflake.NewNode(int64(env.Identity.Node & 1023))
	if err != nil {
		return nil, err
	}
	return func() (uint64, error) { return uint64(n.Generate().Int64()), nil }, nil
}
