package snowflake

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
)

// Tests written to kill mutants that survived the rest of the suite
// (tools/mutate). Each says what it pins down.

// Every issued ID decodes, on every preset, to the node it was given,
// the clock's tick and the sequence counted within the tick: on
// Sonyflake the sequence sits above the machine ID, so one not shifted
// into place lands in the machine field.
func TestIssuedIDsDecodeOnEveryPreset(t *testing.T) {
	for _, l := range Presets() {
		t.Run(l.Name, func(t *testing.T) {
			dc := int64(l.Datacenter.Max())
			w := int64(l.Worker.Max() / 2)
			clk := &clock.Manual{Wall: start + int64(l.Unit)/4, Mono: 1}
			g, err := New(Config{Layout: l, Datacenter: dc, Worker: w}, clk)
			if err != nil {
				t.Fatal(err)
			}
			wantTick := (clk.Wall - l.Epoch.UnixNano()) / int64(l.Unit)
			for seq := int64(0); seq < 5; seq++ {
				id, err := g.Next()
				if err != nil {
					t.Fatal(err)
				}
				p, err := l.Decode(id)
				if err != nil {
					t.Fatal(err)
				}
				if p.Datacenter != dc || p.Worker != w || p.Sequence != seq || p.Tick != wantTick {
					t.Fatalf("ID %d decodes to %+v; want datacenter %d, worker %d, sequence %d, tick %d", id, p, dc, w, seq, wantTick)
				}
				if enc, _ := l.Encode(wantTick, dc, w, seq); enc != id {
					t.Fatalf("issued %#x, Encode gives %#x", id, enc)
				}
			}
		})
	}
}

// Last is the end of the last issued tick, and not ok before any ID.
func TestLast(t *testing.T) {
	g, clk := newGen(t, Error, 0)
	if end, ok := g.Last(); ok || end != 0 {
		t.Fatalf("Last = %d, %v before the first ID; want 0, false", end, ok)
	}
	clk.Wall += 300 * int64(time.Microsecond)
	g.Next()
	if end, ok := g.Last(); !ok || end != start+int64(time.Millisecond) {
		t.Fatalf("Last = %d, %v; want the end of the tick %d", end, ok, start+int64(time.Millisecond))
	}
	// Tick 0, at the epoch itself, counts as issued.
	clk = &clock.Manual{Wall: Twitter.Epoch.UnixNano()}
	g, _ = New(Config{Layout: Twitter}, clk)
	g.Next()
	if end, ok := g.Last(); !ok || end != clk.Wall+int64(time.Millisecond) {
		t.Fatalf("at the epoch: Last = %d, %v; want %d, true", end, ok, clk.Wall+int64(time.Millisecond))
	}
}

// A call told to wait gets no ID with its wait: (0, d, nil).
func TestWaitReturnsNoID(t *testing.T) {
	g, _ := newGen(t, Error, 0)
	for i := 0; i < 4096; i++ {
		g.Next()
	}
	if id, wait, err := g.TryNext(); id != 0 || wait == 0 || err != nil {
		t.Fatalf("TryNext = %d, %v, %v; want 0, the rest of the tick, nil", id, wait, err)
	}
	g, clk := newGen(t, Wait, time.Second)
	g.Next()
	clk.Step(-time.Millisecond)
	if id, wait, err := g.TryNext(); id != 0 || wait == 0 || err != nil {
		t.Fatalf("Wait policy: TryNext = %d, %v, %v; want 0, a wait, nil", id, wait, err)
	}
}

// A call that fails on the clock's range ends the wait it was in: the
// next backward look starts a new one.
func TestRangeErrorEndsTheWait(t *testing.T) {
	g, clk := newGen(t, Wait, 10*time.Millisecond)
	clk.Mono = int64(5 * time.Hour)
	g.Next()
	last := clk.Wall
	clk.Wall = last - 4*int64(time.Millisecond)
	if _, wait, err := g.TryNext(); err != nil || wait == 0 {
		t.Fatalf("wait %v err %v, want a wait", wait, err)
	}
	clk.Mono += int64(8 * time.Millisecond)
	clk.Wall = Twitter.Epoch.UnixNano() - 1
	if _, _, err := g.TryNext(); !errors.Is(err, ErrBeforeEpoch) {
		t.Fatalf("before the epoch: %v", err)
	}
	clk.Wall = last - 4*int64(time.Millisecond)
	if _, wait, err := g.TryNext(); err != nil || wait != 4*time.Millisecond {
		t.Fatalf("after the range error: wait %v err %v, want a fresh 4ms wait", wait, err)
	}
}

// The refusal's message says which policy refused and why.
func TestBackwardErrorMessages(t *testing.T) {
	for _, c := range []struct {
		p    Policy
		want string
	}{
		{Error, "refusing to issue IDs"},
		{MonotonicAnchor, "refusing to issue IDs"},
		{Wait, "exceed the maximum wait"},
		{WaitThenError, "exceed the maximum wait"},
	} {
		e := &BackwardError{Behind: time.Millisecond, Policy: c.p}
		if msg := e.Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, "1ms") {
			t.Errorf("%v: %q, want it to say %q", c.p, msg, c.want)
		}
	}
}

// MaxWait is inclusive: the Wait policy waits for a step of exactly
// MaxWait, and refuses one a nanosecond longer; WaitThenError likewise
// waits when the clock is exactly MaxWait behind.
func TestMaxWaitIsInclusive(t *testing.T) {
	for _, p := range []Policy{Wait, WaitThenError} {
		g, clk := newGen(t, p, 2*time.Millisecond)
		g.Next()
		clk.Step(-2 * time.Millisecond)
		if _, wait, err := g.TryNext(); err != nil || wait == 0 {
			t.Errorf("%v: behind exactly MaxWait: wait %v, err %v; want a wait", p, wait, err)
		}
		g, clk = newGen(t, p, 2*time.Millisecond)
		g.Next()
		clk.Step(-2*time.Millisecond - 1)
		if _, _, err := g.TryNext(); !errors.Is(err, ErrClockBackward) {
			t.Errorf("%v: behind MaxWait+1ns: err %v, want a refusal", p, err)
		}
	}
}

// New accepts the largest node fields the layout holds and the smallest
// positive MaxWait.
func TestNewAcceptsLimits(t *testing.T) {
	clk := &clock.Manual{Wall: start}
	if _, err := New(Config{Layout: Twitter, Datacenter: 31, Worker: 31}, clk); err != nil {
		t.Errorf("datacenter 31, worker 31: %v", err)
	}
	for _, p := range []Policy{Wait, WaitThenError} {
		if _, err := New(Config{Layout: Twitter, OnBackward: p, MaxWait: 1}, clk); err != nil {
			t.Errorf("%v with MaxWait 1ns: %v", p, err)
		}
		if _, err := New(Config{Layout: Twitter, OnBackward: p, MaxWait: 0}, clk); err == nil {
			t.Errorf("%v with MaxWait 0 accepted", p)
		}
	}
}

// The Wait policy measures its wait from the call's first look at the
// backward clock, whatever the monotonic clock read before: a process
// that has been up for hours still gets its wait.
func TestWaitCountsFromTheFirstLook(t *testing.T) {
	g, clk := newGen(t, Wait, 10*time.Millisecond)
	clk.Mono = int64(5 * time.Hour)
	g.Next()
	clk.Step(-5 * time.Millisecond)
	if _, wait, err := g.TryNext(); err != nil || wait != 5*time.Millisecond {
		t.Fatalf("wait %v err %v, want to wait 5ms", wait, err)
	}
}

// A successful call ends the waiting: the next backward step, later,
// gets its own wait under Wait and WaitThenError.
func TestWaitingEndsWithAnID(t *testing.T) {
	for _, p := range []Policy{Wait, WaitThenError} {
		g, clk := newGen(t, p, 10*time.Millisecond)
		for round := 0; round < 2; round++ {
			if _, err := g.Next(); err != nil {
				t.Fatal(err)
			}
			clk.Step(-4 * time.Millisecond)
			_, wait, err := g.TryNext()
			if err != nil || wait == 0 {
				t.Fatalf("%v round %d: wait %v err %v, want a wait", p, round, wait, err)
			}
			clk.Advance(wait + time.Millisecond)
			if _, wait, err := g.TryNext(); err != nil || wait != 0 {
				t.Fatalf("%v round %d after the wait: wait %v err %v, want an ID", p, round, wait, err)
			}
			clk.Advance(20 * time.Millisecond)
		}
	}
}

// try calls TryNext and checks its contract: an ID, or a wait, or an
// error, never two of them.
func try(t *testing.T, g *Generator) (uint64, time.Duration, error) {
	t.Helper()
	id, wait, err := g.TryNext()
	switch {
	case err != nil && (id != 0 || wait != 0):
		t.Fatalf("TryNext = %d, %v, %v: an error with an ID or a wait", id, wait, err)
	case wait != 0 && id != 0:
		t.Fatalf("TryNext = %d, %v: a wait with an ID", id, wait)
	}
	return id, wait, err
}

// Ignore goes back to the earlier tick and counts its sequence from 0.
func TestIgnoreRestartsTheSequence(t *testing.T) {
	g, clk := newGen(t, Ignore, 0)
	for range 3 {
		try(t, g)
	}
	clk.Step(-time.Millisecond)
	id, _, _ := try(t, g)
	if p, _ := Twitter.Decode(id); p.Sequence != 0 || p.Time.UnixNano() != start-int64(time.Millisecond) {
		t.Fatalf("after the step got %+v, want sequence 0 of the earlier tick", p)
	}
}

// Borrow moves on to sequence 0 of the next tick when the borrowed
// tick's sequence is used up, and refuses at the last tick of the
// layout instead of overflowing it.
func TestBorrowBoundaries(t *testing.T) {
	g, clk := newGen(t, Borrow, 0)
	try(t, g)
	clk.Step(-time.Second)
	var id uint64
	for range 4096 {
		id, _, _ = try(t, g)
	}
	if p, _ := Twitter.Decode(id); p.Sequence != 0 || p.Time.UnixNano() != start+int64(time.Millisecond) {
		t.Fatalf("the 4097th ID decodes to %+v, want sequence 0 of the next tick", p)
	}

	clk = &clock.Manual{Wall: Twitter.Horizon().UnixNano() - 1}
	g, _ = New(Config{Layout: Twitter, OnBackward: Borrow}, clk)
	for range 4096 {
		if _, _, err := try(t, g); err != nil {
			t.Fatal(err)
		}
	}
	clk.Step(-time.Second)
	if id, _, err := try(t, g); !errors.Is(err, ErrHorizon) {
		t.Fatalf("borrowing past the last tick: %#x, %v; want ErrHorizon", id, err)
	}
}

// WaitThenError waits once per call: still behind after the wait, the
// call is refused; the next call, behind by less than MaxWait, gets a
// wait of its own again.
func TestWaitThenErrorWaitsOncePerCall(t *testing.T) {
	g, clk := newGen(t, WaitThenError, 5*time.Millisecond)
	try(t, g)
	clk.Step(-3 * time.Millisecond)
	if _, wait, err := try(t, g); err != nil || wait != 6*time.Millisecond {
		t.Fatalf("wait %v err %v, want 6ms", wait, err)
	}
	clk.Advance(time.Millisecond) // still 2 ms behind
	if _, _, err := try(t, g); !errors.Is(err, ErrClockBackward) {
		t.Fatalf("still behind after the wait: %v, want a refusal", err)
	}
	if _, wait, err := try(t, g); err != nil || wait != 4*time.Millisecond {
		t.Fatalf("the next call: wait %v err %v, want its own 4ms wait", wait, err)
	}
}

// The Wait policy bounds the wait when the monotonic clock starts at 0.
func TestWaitBoundedFromMonotonicZero(t *testing.T) {
	g, clk := newGen(t, Wait, 100*time.Millisecond)
	clk.Mono = 0
	try(t, g)
	clk.Step(-60 * time.Millisecond)
	_, wait, _ := try(t, g)
	clk.Advance(wait)
	clk.Step(-60 * time.Millisecond)
	if _, _, err := try(t, g); !errors.Is(err, ErrClockBackward) {
		t.Fatalf("err = %v, want a refusal after waiting 60ms of 100ms for 60ms more", err)
	}
}

// A refusal under Wait ends the call's wait: the next call, behind by
// less than MaxWait, gets a fresh wait however long the refused one had
// been waiting.
func TestWaitRefusalEndsTheWait(t *testing.T) {
	g, clk := newGen(t, Wait, 10*time.Millisecond)
	clk.Mono = int64(5 * time.Hour)
	try(t, g)
	last := clk.Wall
	clk.Wall = last - 20*int64(time.Millisecond)
	if _, _, err := try(t, g); !errors.Is(err, ErrClockBackward) {
		t.Fatalf("20ms behind: %v, want a refusal", err)
	}
	clk.Mono += int64(8 * time.Millisecond)
	clk.Wall = last - 5*int64(time.Millisecond)
	if _, wait, err := try(t, g); err != nil || wait != 5*time.Millisecond {
		t.Fatalf("the next call: wait %v err %v, want a fresh 5ms wait", wait, err)
	}
}
