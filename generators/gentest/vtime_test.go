package gentest_test

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/gentest"
	"github.com/idsim/idsim/generators/internal/rapidtest"
	"github.com/idsim/idsim/generators/vtime"
)

func TestFromBytes(t *testing.T) {
	b := make([]byte, 20) // a KSUID's width
	for i := range b {
		b[i] = byte(i + 1)
	}
	id := gentest.FromBytes(b)
	if id.Top != 0x01020304 || id.Hi != 0x05060708090a0b0c || id.Lo != 0x0d0e0f1011121314 {
		t.Fatalf("FromBytes = %#v", id)
	}
	if got := id.String(); got != "0x102030405060708090a0b0c0d0e0f1011121314" {
		t.Errorf("String = %s", got)
	}
	lower := gentest.FromBytes(append([]byte{0}, b[1:]...))
	if !lower.Less(id) || id.Less(lower) {
		t.Error("Top does not order")
	}
	if gentest.FromBytes([]byte{1, 2}) != (gentest.ID{Lo: 0x0102}) {
		t.Error("short input")
	}
}

// A generator that returns the same ID twice in a row is told so.
func TestRepeatedIsCalledRepeated(t *testing.T) {
	failed, report := rapidtest.Fails("repeat", gentest.Property(func(env gentest.Env) (gentest.Generator, error) {
		n := uint64(0)
		return gentest.Func(func() (gentest.ID, error) {
			n++
			return gentest.ID{Lo: n / 2}, nil
		}), nil
	}, gentest.Promises{Increasing: true}, gentest.Options{}))
	if !failed || !strings.Contains(report, "twice in a row: repeated (Increasing)") || strings.Contains(report, "not increasing") {
		t.Errorf("failed %v:\n%s", failed, report)
	}
}

// PerRead: a generator that spins on its clock until the millisecond
// changes makes progress instead of hanging.
func TestPerReadLetsSpinsEnd(t *testing.T) {
	spin := func(env gentest.Env) (gentest.Generator, error) {
		var last int64
		return gentest.Func(func() (gentest.ID, error) {
			ms := env.Clock.Monotonic() / 1e6
			for ms <= last {
				ms = env.Clock.Monotonic() / 1e6
			}
			last = ms
			return gentest.ID{Lo: uint64(ms)}, nil
		}), nil
	}
	gentest.Check(t, spin, gentest.Promises{Increasing: true}, gentest.Options{PerRead: 10 * time.Microsecond, MaxBurst: 50})
}

// Downtime: a generator that refuses to issue at or behind its last
// millisecond repeats IDs across an instant restart, even without a clock
// step; with restarts that take longer than the clock can be set back,
// it does not.
func TestDowntime(t *testing.T) {
	wall := func(env gentest.Env) (gentest.Generator, error) {
		var last int64
		return gentest.Func(func() (gentest.ID, error) {
			ms := env.Clock.Now() / 1e6
			if ms <= last {
				return gentest.ID{}, os.ErrDeadlineExceeded
			}
			last = ms
			return gentest.ID{Lo: uint64(ms)<<10 | uint64(env.Worker)}, nil
		}), nil
	}
	p := gentest.Promises{Unique: true, UniqueAcrossRestarts: true}
	o := gentest.Options{NoBackwardSteps: true, NoDrift: true}
	if failed, report := rapidtest.Fails("no downtime", gentest.Property(wall, p, o)); !failed {
		t.Error("an instant restart kept UniqueAcrossRestarts")
	} else if !strings.Contains(report, "restart i") || strings.Contains(report, "step i") {
		t.Errorf("the schedule should need only a restart:\n%s", report)
	}
	o.Downtime = time.Millisecond
	gentest.Check(t, wall, p, o)
	o.NoBackwardSteps = false
	if failed, report := rapidtest.Fails("downtime and steps", gentest.Property(wall, p, o)); !failed {
		t.Error("a restart after a backward step kept UniqueAcrossRestarts")
	} else if !strings.Contains(report, "restart i0 after 1ms down") || !strings.Contains(report, "clock -") {
		t.Errorf("the schedule should need a backward step and a restart:\n%s", report)
	}
}

// naive is an "unmodified library": it reads time.Now itself, waits with
// time.Sleep when its 4-per-millisecond sequence runs out, and does not
// look at backward steps unless careful.
type naive struct {
	mu      sync.Mutex
	worker  uint64
	careful bool
	last    int64
	seq     uint64
}

func (g *naive) Next() (gentest.ID, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := time.Now().UnixMilli()
	for g.careful && ms < g.last {
		time.Sleep(time.Duration(g.last-ms) * time.Millisecond) // waits out the step
		ms = time.Now().UnixMilli()
	}
	if ms == g.last {
		g.seq++
		if g.seq == 4 {
			for ms <= g.last {
				time.Sleep(time.Millisecond)
				ms = time.Now().UnixMilli()
			}
			g.seq = 0
		}
	} else {
		g.seq = 0
	}
	g.last = ms
	return gentest.ID{Hi: g.worker, Lo: uint64(ms)<<2 | g.seq}, nil
}

func TestVirtualTime(t *testing.T) {
	if !vtime.Available() {
		if os.Getenv("IDSIM_VTIME") == "1" {
			t.Fatal(vtime.Err())
		}
		failed, report := rapidtest.Fails("unavailable", gentest.Property(func(gentest.Env) (gentest.Generator, error) { return &naive{}, nil },
			gentest.Promises{Unique: true}, gentest.Options{VirtualTime: true}))
		if !failed || !strings.Contains(report, "idsim vtime overlay") {
			t.Errorf("without the overlay: failed %v:\n%s", failed, report)
		}
		t.Skip(vtime.Err())
	}
	start := time.Now()
	p := gentest.Promises{Unique: true, Increasing: true}
	o := gentest.Options{VirtualTime: true, NoRestarts: true}
	failed, report := rapidtest.Fails("naive", gentest.Property(func(env gentest.Env) (gentest.Generator, error) { return &naive{worker: uint64(env.Worker)}, nil }, p, o))
	if !failed || !strings.Contains(report, "step i") {
		t.Errorf("a generator that ignores backward steps: failed %v, report:\n%s", failed, report)
	}
	gentest.Check(t, func(env gentest.Env) (gentest.Generator, error) {
		return &naive{careful: true, worker: uint64(env.Worker)}, nil
	}, p, o)
	// 5000-call bursts at 4 IDs per virtual millisecond, and waits of up
	// to 2 s: all in virtual time.
	if d := time.Since(start); d > time.Minute {
		t.Errorf("took %v: sleeps blocked in real time?", d)
	}
}

// Freeze: a wall-clock generator that issues the millisecond as its ID
// repeats it while the wall clock stands still.
func TestFreeze(t *testing.T) {
	f := func(env gentest.Env) (gentest.Generator, error) {
		return gentest.Func(func() (gentest.ID, error) { return gentest.ID{Lo: uint64(env.Clock.Now())}, nil }), nil
	}
	p := gentest.Promises{Increasing: true}
	o := gentest.Options{NoBackwardSteps: true, NoRestarts: true}
	o.PerRead = time.Microsecond // above the slowest drift's loss, so the wall clock always moves
	if failed, report := rapidtest.Fails("no freeze", gentest.Property(f, p, o)); failed {
		t.Fatalf("failed without freezes:\n%s", report)
	}
	o.Freeze = true
	if failed, report := rapidtest.Fails("freeze", gentest.Property(f, p, o)); !failed || !strings.Contains(report, "freeze i") {
		t.Errorf("failed %v:\n%s", failed, report)
	}
}

func TestEnvRand(t *testing.T) {
	var got [][]byte
	for range 2 {
		r := gentest.Env{Entropy: &counter{}}.Rand()
		a, b := make([]byte, 5), make([]byte, 11)
		r.Read(a)
		r.Read(b)
		got = append(got, append(a, b...))
	}
	want := []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}
	for _, g := range got {
		if string(g) != string(want) {
			t.Fatalf("Rand read %v, want %v", g, want)
		}
	}
}

type counter struct{ n uint64 }

func (c *counter) Uint64() uint64 { c.n++; return c.n }
