package faulty

import (
	"errors"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/snowflake"
)

var epoch = snowflake.Twitter.Epoch

func manual() *clock.Manual {
	return &clock.Manual{Wall: epoch.Add(time.Hour).UnixNano(), Mono: 0}
}

func next(t *testing.T, g *Snowflake) uint64 {
	t.Helper()
	id, wait, err := g.TryNext()
	if err != nil || wait != 0 {
		t.Fatalf("TryNext: %d, %v, %v", id, wait, err)
	}
	return id
}

// Twitter 2010: three IDs in a tick, the clock steps back and is refused,
// then returns to the same tick: sequence 1 and 2 come out again.
func TestSequenceResetBeforeClockCheck(t *testing.T) {
	clk := manual()
	g, err := NewSnowflake(snowflake.Twitter, 0, 1, SequenceResetBeforeClockCheck, clk)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for range 3 {
		seen[next(t, g)] = true
	}
	clk.Step(-time.Millisecond)
	if _, _, err := g.TryNext(); !errors.Is(err, ErrClockBackwards) {
		t.Fatalf("backward clock: %v", err)
	}
	clk.Step(time.Millisecond)
	repeated := 0
	for range 3 {
		if seen[next(t, g)] {
			repeated++
		}
	}
	if repeated != 2 {
		t.Errorf("%d repeats after re-entering the tick, want 2 (sequences 1 and 2)", repeated)
	}
}

// nsq 592: worker 1027 in a 10-bit field collides with worker 3 one
// tick later.
func TestUnmaskedWorker(t *testing.T) {
	l := snowflake.Packed("nsq", epoch, time.Millisecond, 41, 0, 10, 12)
	a, b := manual(), manual()
	ga, _ := NewSnowflake(l, 0, 1027, UnmaskedWorker, a)
	gb, _ := NewSnowflake(l, 0, 3, UnmaskedWorker, b)
	// Make a's tick even so that its spilled bit is the tick's low bit.
	for (a.Wall-epoch.UnixNano())/int64(time.Millisecond)%2 != 0 {
		a.Advance(time.Millisecond)
		b.Advance(time.Millisecond)
	}
	b.Advance(time.Millisecond)
	if x, y := next(t, ga), next(t, gb); x != y {
		t.Errorf("worker 1027 at tick T issued %d, worker 3 at T+1 %d: want the same", x, y)
	}
}

// yitter's Go port: uint16(worker) << 12 keeps 4 bits: workers 3 and 19
// collide.
func TestNarrowWorkerShift(t *testing.T) {
	l := snowflake.Packed("yitter", epoch, time.Millisecond, 45, 0, 6, 12)
	a, b := manual(), manual()
	ga, _ := NewSnowflake(l, 0, 3, NarrowWorkerShift, a)
	gb, _ := NewSnowflake(l, 0, 19, NarrowWorkerShift, b)
	if x, y := next(t, ga), next(t, gb); x != y {
		t.Errorf("workers 3 and 19: %d and %d, want the same", x, y)
	}
	gc, _ := NewSnowflake(l, 0, 4, NarrowWorkerShift, manual())
	if next(t, gc) == next(t, ga) {
		t.Error("workers 3 and 4 collide too")
	}
}

// Instagram: the 1025th ID of one millisecond repeats the first.
func TestNoWaitOnWrap(t *testing.T) {
	g, _ := NewSnowflake(snowflake.Instagram, 0, 5, NoWaitOnWrap, &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()})
	first := next(t, g)
	for range 1023 {
		next(t, g)
	}
	if next(t, g) != first {
		t.Error("the 1025th ID of the millisecond differs from the first")
	}
}

type counting struct{ n uint64 }

func (c *counting) Uint64() uint64 { c.n += 0x9E3779B97F4A7C15; return c.n }

// gofrs 254: within one millisecond the 4097th ID sorts below the
// 4096th. google/uuid before 1.6.0: IDs of one millisecond are
// unordered.
func TestV7Bugs(t *testing.T) {
	for _, tt := range []struct {
		bug  V7Bug
		n    int
		want string
	}{{CounterNeverReset, 4097, "wrap"}, {RandomAfterTimestamp, 100, "unordered"}} {
		g, _ := NewV7(tt.bug, manual(), &counting{})
		var prevHi, prevLo uint64
		down := 0
		for i := range tt.n {
			hi, lo := g.NextHiLo()
			if i > 0 && (hi < prevHi || hi == prevHi && lo < prevLo) {
				down++
			}
			if hi>>12&0xF != 7 || lo>>62 != 0b10 {
				t.Fatalf("%x %x: not a version 7 RFC 9562 UUID", hi, lo)
			}
			prevHi, prevLo = hi, lo
		}
		if down == 0 {
			t.Errorf("bug %d: no ID sorted below its predecessor in %d IDs of one millisecond", tt.bug, tt.n)
		}
	}
}
