// Package gentest checks an ID generator's promises in your own tests.
//
// Adapt your generator to a Factory — given a clock, an entropy source
// and a worker ID, build an instance whose Next returns an ID or an
// error — say what it promises, and call Check:
//
//	func TestMyGenerator(t *testing.T) {
//		gentest.Check(t, func(env gentest.Env) (gentest.Generator, error) {
//			g, err := mygen.New(env.Worker, env.Clock)
//			return gentest.Func(func() (gentest.ID, error) {
//				id, err := g.Next()
//				return gentest.ID{Lo: id}, err
//			}), err
//		}, gentest.Promises{Unique: true, Increasing: true}, gentest.Options{MaxWorker: 1023})
//	}
//
// Check runs property-based tests with pgregory.net/rapid: several
// instances, each with its own clock, go through random schedules of
// calls, bursts of calls in one instant, time passing, clock steps in
// both directions, clock drift and restarts that lose the instance's
// state. When a promise breaks, rapid shrinks the schedule to a minimal
// one and the test fails with it, step by step, and with the seed that
// replays it (go test -run TestMyGenerator -rapid.seed=N). Failing
// schedules are also saved under testdata/rapid and replayed first on
// the next run.
//
// Everything is in virtual time: Check never sleeps, and a generator
// that waits must do so through its clock (clock.Sleep), which advances
// that instance's virtual time.
//
// # Unmodified libraries
//
// A library that reads time.Now and calls time.Sleep itself, in the exact
// version you run, can be tested the same way with Options.VirtualTime:
// Check then installs the instance's clock as the whole program's time
// (package github.com/idsim/idsim/generators/vtime) around each call of
// the factory and each step on that instance, so each instance runs on
// its own virtual clock, stepped, drifting and frozen as the schedule
// says, and the library's sleeps and spins advance that clock instead of
// blocking. The test binary must be built with idsim's overlay of
// package time:
//
//	go test -overlay=$(idsim vtime overlay /tmp/vt) ./...
//
// The clock is global while installed, not per goroutine: a goroutine
// that the library starts itself reads the clock of whichever instance
// is being called at that moment, and real time between steps. Libraries
// that keep their state in package variables (google/uuid's v7 clock
// sequence) share it across instances and restarts, as they would in
// one process. Timers and tickers stay on real time.
package gentest

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/internal/rapidtest"
	"github.com/idsim/idsim/generators/vtime"
)

// ID is a generated ID of up to 192 bits: Lo holds bits 0–63, Hi bits
// 64–127 and Top bits 128–191 (a 160-bit KSUID uses all three). 64-bit
// IDs use Lo only. IDs compare by Top, then Hi, then Lo.
type ID struct{ Hi, Lo, Top uint64 }

// Less reports whether id sorts before o.
func (id ID) Less(o ID) bool {
	if id.Top != o.Top {
		return id.Top < o.Top
	}
	return id.Hi < o.Hi || id.Hi == o.Hi && id.Lo < o.Lo
}

// FromBytes reads a big-endian ID of up to 24 bytes (a UUID's 16, a
// KSUID's 20), which sorts as the bytes do. It panics on more.
func FromBytes(b []byte) ID {
	if len(b) > 24 {
		panic(fmt.Sprintf("gentest.FromBytes: %d bytes, at most 24", len(b)))
	}
	var w [3]uint64 // Lo, Hi, Top
	for i, c := range b {
		bit := (len(b) - 1 - i) * 8
		w[bit/64] |= uint64(c) << (bit % 64)
	}
	return ID{Lo: w[0], Hi: w[1], Top: w[2]}
}

// String renders the ID in hexadecimal.
func (id ID) String() string {
	switch {
	case id.Top != 0:
		return fmt.Sprintf("%#x%016x%016x", id.Top, id.Hi, id.Lo)
	case id.Hi != 0:
		return fmt.Sprintf("%#x%016x", id.Hi, id.Lo)
	}
	return fmt.Sprintf("%#x", id.Lo)
}

// Generator is one instance of the generator under test. One that is
// also an io.Closer is closed when a restart discards it and when the
// schedule ends (however it ends); a Close that fails at a restart or at
// the end of a schedule fails the check.
type Generator interface {
	Next() (ID, error)
}

// Func adapts a function to Generator.
type Func func() (ID, error)

// Next calls f.
func (f Func) Next() (ID, error) { return f() }

// Env is what a Factory builds an instance from.
type Env struct {
	// Clock is the instance's clock. The generator must read time only
	// from it and wait only through it (clock.Sleep).
	Clock clock.Clock
	// Entropy is the instance's random source.
	Entropy entropy.Source
	// Worker is the worker (node, machine) ID the instance is configured
	// with. A factory that refuses it returns an error, and the instance
	// does not take part.
	Worker int64
}

// Rand returns e.Entropy as an io.Reader (8 bytes per value, little
// endian), for a library that takes its randomness from a reader
// (google/uuid's SetRand, gofrs/uuid's WithRandomReader): its IDs are then
// reproducible from rapid's seed, and shrinking is deterministic.
func (e Env) Rand() io.Reader { return &reader{src: e.Entropy} }

type reader struct {
	src  entropy.Source
	buf  [8]byte
	left int
}

func (r *reader) Read(p []byte) (int, error) {
	for i := range p {
		if r.left == 0 {
			binary.LittleEndian.PutUint64(r.buf[:], r.src.Uint64())
			r.left = 8
		}
		p[i] = r.buf[8-r.left]
		r.left--
	}
	return len(p), nil
}

// Factory builds an instance. It is called again for every restart: an
// instance's in-memory state does not survive one.
type Factory func(Env) (Generator, error)

// Promises are what the generator claims; Check tests each one set.
type Promises struct {
	// Unique: no ID is issued twice by one instance, nor by two
	// instances configured with different worker IDs.
	Unique bool
	// UniqueAcrossRestarts: nor by an instance before and after a
	// restart that lost its state (Snowflake generators cannot promise
	// this without persisting their last timestamp: a clock set back
	// before the restart repeats IDs).
	UniqueAcrossRestarts bool
	// UniqueWithSharedWorker: nor by two instances configured with the
	// same worker ID (random schemes). Check then draws worker IDs that
	// may collide.
	UniqueWithSharedWorker bool
	// Increasing: each instance's IDs strictly increase (until a restart).
	Increasing bool
	// NoErrors: Next never fails.
	NoErrors bool
}

// Options shape the schedules. Zero values take the defaults.
type Options struct {
	// Workers is the most instances at once; default 3.
	Workers int
	// MaxWorker bounds the worker IDs drawn, [0, MaxWorker]; default
	// 1023.
	MaxWorker int64
	// MaxSteps bounds a schedule's length; default 100.
	MaxSteps int
	// MaxClockStep bounds clock steps, either way; default 2s.
	MaxClockStep time.Duration
	// MaxBurst bounds the calls made in one instant; default 5000, above
	// a Twitter-layout Snowflake's 4096 per millisecond.
	MaxBurst int
	// NoBackwardSteps leaves out backward clock steps; NoRestarts leaves
	// out restarts; NoDrift leaves out drift and freezes.
	NoBackwardSteps, NoRestarts, NoDrift bool
	// Freeze adds freezes: an instance's wall clock stands still (while
	// its monotonic clock runs) until a later drift step. A generator
	// that waits for its wall clock to move then waits forever, so this
	// is opt-in.
	Freeze bool
	// Downtime, when positive, makes restarts take time: it passes for
	// every instance before the restarted one is rebuilt. Default 0: a
	// restart is instantaneous, so a generator that issues from the wall
	// clock repeats IDs across one even without a clock step.
	Downtime time.Duration
	// PerRead is the time that passes on an instance's clock at each
	// reading of it (each Now or Monotonic of Env.Clock, or each
	// time.Now, time.Since or time.Until under VirtualTime), so that a
	// generator spinning until the clock moves makes progress. Default 0:
	// time stands still between steps.
	PerRead time.Duration
	// VirtualTime runs the factory and each instance's calls with the
	// instance's clock installed as the program's time (package vtime),
	// for a generator that reads time.Now and calls time.Sleep itself. It
	// needs the test binary built with idsim's overlay of package time
	// (see the package documentation); without it the test fails with
	// the command to run.
	VirtualTime bool
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 3
	}
	if o.MaxWorker <= 0 {
		o.MaxWorker = 1023
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 100
	}
	if o.MaxClockStep <= 0 {
		o.MaxClockStep = 2 * time.Second
	}
	if o.MaxBurst <= 0 {
		o.MaxBurst = 5000
	}
}

// Check tests the promises of the generator f builds and fails t with a
// minimal schedule that breaks one.
func Check(t *testing.T, f Factory, p Promises, o Options) {
	t.Helper()
	if o.VirtualTime && !vtime.Available() {
		t.Fatal("gentest: Options.VirtualTime: ", vtime.Err())
	}
	rapid.Check(t, Property(f, p, o))
}

// Find runs the same tests as Check without a testing.T and reports
// whether a promise broke, with rapid's report: the shrunk schedule, the
// seed that replays it, and each draw. Fail files are not written.
func Find(f Factory, p Promises, o Options) (broken bool, report string) {
	return rapidtest.Fails("gentest", Property(f, p, o))
}

// DefaultSeed makes rapid deterministic when no seed was asked for, so
// that CI runs the same cases every time: call it from TestMain before
// m.Run. An explicit -rapid.seed=N or RAPID_SEED=N still wins, so new
// cases can be explored with any non-zero seed.
func DefaultSeed() { rapidtest.DefaultSeed() }

// Property is the property Check runs, for use with rapid directly.
func Property(f Factory, p Promises, o Options) func(*rapid.T) {
	o.defaults()
	return func(t *rapid.T) {
		if o.VirtualTime && !vtime.Available() {
			t.Fatal("gentest: Options.VirtualTime: ", vtime.Err())
		}
		run(t, f, p, o)
	}
}

// Op is the kind of a schedule step.
type Op int

// The steps of a schedule.
const (
	Call    Op = iota // one call on an instance
	Burst             // N calls on an instance at one instant
	Advance           // time passes for every instance: By
	Step              // the instance's wall clock jumps by By (an NTP step)
	Drift             // the instance's wall clock runs PPM parts per million fast or slow from now on
	Restart           // the instance is rebuilt after By of downtime: its state is lost, its clock goes on
	Freeze            // the instance's wall clock stands still from now on (until a Drift), its monotonic clock runs
)

// Event is one step of a schedule.
type Event struct {
	Op       Op
	Instance int
	N        int
	By       time.Duration
	PPM      int64
}

// GoString renders the step for rapid's and Check's reports.
func (e Event) GoString() string {
	switch e.Op {
	case Call:
		return fmt.Sprintf("call i%d", e.Instance)
	case Burst:
		return fmt.Sprintf("burst i%d x%d", e.Instance, e.N)
	case Advance:
		return fmt.Sprintf("advance %v", e.By)
	case Step:
		return fmt.Sprintf("step i%d clock %+v", e.Instance, e.By)
	case Drift:
		return fmt.Sprintf("drift i%d %+d ppm", e.Instance, e.PPM)
	case Restart:
		if e.By > 0 {
			return fmt.Sprintf("restart i%d after %v down", e.Instance, e.By)
		}
		return fmt.Sprintf("restart i%d", e.Instance)
	case Freeze:
		return fmt.Sprintf("freeze i%d wall clock", e.Instance)
	}
	return "?"
}

// vclock is an instance's virtual clock: wall and monotonic faces, the
// wall one steppable and drifting.
type vclock struct {
	wall, mono int64
	ppm        int64
	frac       int64 // drift carried below a nanosecond, in 1e-6 ns
	perRead    int64 // time passing at each reading
}

func (c *vclock) Now() int64 {
	w := c.wall
	c.read()
	return w
}

func (c *vclock) Monotonic() int64 {
	m := c.mono
	c.read()
	return m
}

func (c *vclock) read() {
	if c.perRead > 0 {
		c.advance(c.perRead)
	}
}

// Sleep advances the clock: a generator that waits waits in virtual time.
func (c *vclock) Sleep(d time.Duration) {
	if d > 0 {
		c.advance(int64(d))
	}
}

func (c *vclock) advance(d int64) {
	c.mono += d
	c.frac += d * c.ppm
	extra := c.frac / 1e6
	c.frac -= extra * 1e6
	c.wall += d + extra
}

type origin struct {
	instance, incarnation, step int
	worker                      int64
}

type instance struct {
	env         Env
	gen         Generator
	clk         *vclock
	incarnation int
	last        ID
	issued      bool
}

// run draws a schedule and plays it, failing at the first broken promise.
func run(t *rapid.T, f Factory, p Promises, o Options) {
	n := rapid.IntRange(1, o.Workers).Draw(t, "instances")
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var insts []*instance
	used := map[int64]bool{}
	for i := range n {
		w := rapid.Int64Range(0, o.MaxWorker).Draw(t, fmt.Sprintf("worker of i%d", i))
		if used[w] && !p.UniqueWithSharedWorker {
			continue // distinct worker IDs only
		}
		used[w] = true
		clk := &vclock{wall: start, mono: 0}
		if !o.VirtualTime {
			clk.perRead = int64(o.PerRead) // under VirtualTime, vtime advances it per time.Now
		}
		// Machines draw their entropy independently: mix the instance
		// number in, so that even equal drawn seeds give unrelated streams.
		seed := rapid.Uint64().Draw(t, fmt.Sprintf("entropy of i%d", i))
		mix := splitmix{seed ^ uint64(i+1)*0xD1B54A32D192ED03}
		in := &instance{clk: clk, env: Env{Clock: clk, Entropy: &splitmix{mix.Uint64()}, Worker: w}}
		g, err := on(in, o, func() (Generator, error) { return f(in.env) })
		if err != nil {
			continue // the generator refuses this worker ID
		}
		in.gen = g
		insts = append(insts, in)
	}
	if len(insts) == 0 {
		t.Skip("the factory refused every worker ID drawn")
	}
	// Close what is still open however the schedule ends (a failure
	// unwinds through here); the normal end checks the errors below.
	defer func() {
		for _, in := range insts {
			closeGen(in, o)
		}
	}()
	ops := []Op{Call, Call, Call, Burst, Advance, Advance, Step, Drift, Restart}
	if o.Freeze && !o.NoDrift {
		ops = append(ops, Freeze)
	}
	var steps []Event
	seen := map[ID]origin{}
	count := rapid.IntRange(1, o.MaxSteps).Draw(t, "steps")
	for s := range count {
		e := Event{Op: rapid.SampledFrom(ops).Draw(t, "op"), Instance: rapid.IntRange(0, len(insts)-1).Draw(t, "instance")}
		switch e.Op {
		case Burst:
			e.N = rapid.IntRange(2, o.MaxBurst).Draw(t, "calls")
		case Advance:
			e.By = time.Duration(rapid.Int64Range(1, int64(o.MaxClockStep)).Draw(t, "by"))
		case Step:
			lo := int64(1)
			if !o.NoBackwardSteps {
				lo = -int64(o.MaxClockStep)
			}
			e.By = time.Duration(rapid.Int64Range(lo, int64(o.MaxClockStep)).Draw(t, "step"))
		case Drift:
			if o.NoDrift {
				e.Op = Advance
				e.By = time.Millisecond
				break
			}
			e.PPM = rapid.Int64Range(-500_000, 500_000).Draw(t, "ppm")
		case Restart:
			if o.NoRestarts {
				e.Op = Call
			} else {
				e.By = o.Downtime
			}
		}
		steps = append(steps, e)
		in := insts[e.Instance]
		fail := func(format string, args ...any) {
			t.Fatalf("%s\nafter this schedule (instance: worker ID):\n%s", fmt.Sprintf(format, args...), describe(insts, steps))
		}
		switch e.Op {
		case Call, Burst:
			func() {
				if o.VirtualTime {
					// Restored however the step ends: a failure panics.
					defer vtime.Use(in.clk, o.PerRead)()
				}
				for range max(e.N, 1) {
					id, err := in.gen.Next()
					if err != nil {
						if p.NoErrors {
							fail("step %d: i%d's Next failed: %v", s, e.Instance, err)
						}
						continue
					}
					if p.Increasing && in.issued && id == in.last {
						fail("step %d: i%d issued %v twice in a row: repeated (Increasing)", s, e.Instance, id)
					}
					if p.Increasing && in.issued && !in.last.Less(id) {
						fail("step %d: i%d issued %v after %v: not increasing", s, e.Instance, id, in.last)
					}
					in.last, in.issued = id, true
					if prev, dup := seen[id]; dup {
						if why := broken(p, prev, origin{e.Instance, in.incarnation, s, in.env.Worker}); why != "" {
							fail("step %d: i%d issued %v, which i%d issued at step %d: %s", s, e.Instance, id, prev.instance, prev.step, why)
						}
					} else {
						seen[id] = origin{e.Instance, in.incarnation, s, in.env.Worker}
					}
				}
			}()
		case Advance:
			for _, x := range insts {
				x.clk.advance(int64(e.By))
			}
		case Step:
			in.clk.wall += int64(e.By)
		case Drift:
			in.clk.ppm = e.PPM
		case Freeze:
			in.clk.ppm = -1e6
		case Restart:
			if err := closeGen(in, o); err != nil {
				fail("step %d: closing i%d before its restart: %v", s, e.Instance, err)
			}
			for _, x := range insts {
				x.clk.advance(int64(e.By))
			}
			g, err := on(in, o, func() (Generator, error) { return f(in.env) })
			if err != nil {
				fail("step %d: restarting i%d: %v", s, e.Instance, err)
			}
			in.gen, in.incarnation, in.issued = g, in.incarnation+1, false
		}
	}
	for i, in := range insts {
		if err := closeGen(in, o); err != nil {
			t.Fatalf("closing i%d at the end: %v\nafter this schedule (instance: worker ID):\n%s", i, err, describe(insts, steps))
		}
	}
}

// closeGen closes in's generator if it is an io.Closer and not closed
// yet, with its clock installed under virtual time.
func closeGen(in *instance, o Options) error {
	c, ok := in.gen.(io.Closer)
	in.gen = nil
	if !ok {
		return nil
	}
	if o.VirtualTime {
		defer vtime.Use(in.clk, o.PerRead)()
	}
	return c.Close()
}

// on runs build with in's clock installed as the program's time when o
// asks for virtual time.
func on(in *instance, o Options, build func() (Generator, error)) (Generator, error) {
	if o.VirtualTime {
		defer vtime.Use(in.clk, o.PerRead)()
	}
	return build()
}

// broken says which promise a repeated ID breaks, or "" if none.
func broken(p Promises, a, b origin) string {
	switch {
	case a.instance == b.instance && a.incarnation == b.incarnation:
		if p.Unique {
			return "an instance repeated an ID (Unique)"
		}
	case a.instance == b.instance:
		if p.UniqueAcrossRestarts {
			return "an instance repeated an ID it issued before a restart (UniqueAcrossRestarts)"
		}
	case a.worker == b.worker:
		if p.UniqueWithSharedWorker {
			return "two instances with the same worker ID issued the same ID (UniqueWithSharedWorker)"
		}
	default:
		if p.Unique {
			return "two instances with different worker IDs issued the same ID (Unique)"
		}
	}
	return ""
}

func describe(insts []*instance, steps []Event) string {
	var b strings.Builder
	for i, in := range insts {
		fmt.Fprintf(&b, "  i%d: worker %d\n", i, in.env.Worker)
	}
	for i, e := range steps {
		fmt.Fprintf(&b, "  %3d  %s\n", i, e.GoString())
	}
	return b.String()
}

// splitmix is a small deterministic entropy source for instances: the
// SplitMix64 generator (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014), from its published
// constants.
type splitmix struct{ s uint64 }

func (r *splitmix) Uint64() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}
