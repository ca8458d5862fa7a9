// Package snowflake generates Twitter-style 64-bit IDs: a timestamp, a node
// (datacenter and worker) and a per-tick sequence packed into one integer.
//
// The generator never reads the system clock itself; it is handed a
// clock.Clock. With clock.System it is an ordinary production generator.
// Under idsim's simulator it is driven by a virtual clock that faults can
// step backwards, and its step API TryNext lets the simulator wait in
// virtual time instead of sleeping.
//
// What happens when the clock reads earlier than the last timestamp issued
// is a Policy, each named after a behaviour found in real generators:
// refuse with an error, wait (up to a bound) for the clock to catch up,
// wait once and then refuse, borrow from the future, read a monotonic
// clock anchored at start, or ignore the step. Ignore is the naive
// behaviour found in many hand-written generators; it reissues IDs and is
// kept so the harness can demonstrate the bug.
//
// When more IDs are asked for in one tick than the sequence field holds,
// the generator waits for the next tick.
package snowflake

import (
	"errors"
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/internal/names"
)

// Policy says what a generator does when its clock reads earlier than the
// tick of the last ID it issued.
type Policy uint8

const (
	// Error refuses to issue IDs until the clock is back, returning an error
	// wrapping ErrClockBackward.
	Error Policy = iota
	// Wait waits for the clock to catch up if that takes at most
	// Config.MaxWait, and returns an error otherwise.
	Wait
	// Ignore issues IDs from the earlier timestamp as if nothing happened.
	// It repeats IDs issued before the step. Do not ship it.
	Ignore
	// Borrow keeps issuing from the last timestamp while the clock is
	// behind, and when that tick's sequence is used up moves on to the
	// next tick without waiting: the IDs' time runs ahead of the clock
	// until it catches up. google/uuid's version 7 clamp and sonyflake
	// behave this way. IDs stay unique while the process lives; a restart
	// forgets how far ahead it was.
	Borrow
	// MonotonicAnchor reads the wall clock once, when the generator is
	// created, and from then on advances it with the monotonic clock, as
	// bwmarrin/snowflake does. Steps of the wall clock are invisible until
	// the process restarts and anchors again.
	MonotonicAnchor
	// WaitThenError waits once, for twice the time the clock is behind, if
	// that is at most MaxWait, and refuses if the clock is still behind
	// afterwards or was further behind to begin with. Twitter's original
	// generator refuses at once; Meituan's Leaf waits up to 5 ms this way.
	WaitThenError
)

var policyNames = [...]string{
	Error: "error", Wait: "wait", Ignore: "ignore",
	Borrow: "borrow", MonotonicAnchor: "monotonic_anchor", WaitThenError: "wait_then_error",
}

// String returns the policy's name as used in scenario files.
func (p Policy) String() string { return names.Of(policyNames[:], int(p), "Policy") }

// ParsePolicy reads a policy name: "error", "wait", "ignore", "borrow",
// "monotonic_anchor" or "wait_then_error".
func ParsePolicy(s string) (Policy, error) {
	i, err := names.Index(policyNames[:], s, "clock-backward policy")
	return Policy(i), err
}

// Errors a generator returns. Returned errors wrap one of these; use
// errors.Is to test for them.
var (
	// ErrClockBackward: the clock is behind the last issued tick and the
	// policy refused to issue (Error), or waiting would exceed MaxWait
	// (Wait).
	ErrClockBackward = errors.New("snowflake: clock moved backwards")
	// ErrBeforeEpoch: the clock reads earlier than the layout's epoch.
	ErrBeforeEpoch = errors.New("snowflake: clock is before the layout's epoch")
	// ErrHorizon: the clock has passed the layout's horizon; the
	// timestamp no longer fits.
	ErrHorizon = errors.New("snowflake: timestamp past the layout's horizon")
)

// BackwardError reports a refusal because the clock went backwards.
type BackwardError struct {
	// Behind is how far the clock reads before the start of the last
	// issued tick.
	Behind time.Duration
	// Waited is how long the call had already waited (Wait policy).
	Waited time.Duration
	// Policy is the policy that refused.
	Policy Policy
}

// Error says how far back the clock was and what the policy did.
func (e *BackwardError) Error() string {
	if e.Policy == Wait || e.Policy == WaitThenError {
		return fmt.Sprintf("snowflake: clock moved backwards by %v; waiting for it would exceed the maximum wait (waited %v)", e.Behind, e.Waited)
	}
	return fmt.Sprintf("snowflake: clock moved backwards by %v; refusing to issue IDs", e.Behind)
}

// Unwrap returns ErrClockBackward.
func (e *BackwardError) Unwrap() error { return ErrClockBackward }

// Config configures a Generator.
type Config struct {
	// Layout is the bit layout. It must pass Validate.
	Layout Layout
	// Datacenter and Worker are this generator's node fields. Two live
	// generators with the same pair will issue duplicate IDs.
	Datacenter int64
	Worker     int64
	// OnBackward is the policy when the clock reads behind the last tick.
	OnBackward Policy
	// MaxWait bounds the total time one call waits for the clock to catch
	// up under the Wait policy, and how far behind the clock may be for
	// WaitThenError to wait at all. It must be positive for both.
	MaxWait time.Duration
}

// Generator issues Snowflake IDs. It is not safe for concurrent use: give
// each goroutine its own node ID, or guard it with a mutex.
type Generator struct {
	clk clock.Clock

	epochNs   int64
	unitNs    int64
	maxTick   int64
	timeShift uint8
	seqShift  uint8
	maxSeq    uint64
	node      uint64 // datacenter and worker fields, in place
	policy    Policy
	maxWaitNs int64

	lastTick int64 // tick of the last issued ID; -1 before the first
	seq      uint64

	// The wall-clock span [curStart, curEnd) of tick curTick, cached so the
	// common case costs two comparisons instead of a division.
	curTick  int64
	curStart int64
	curEnd   int64

	waitStart  int64 // monotonic reading when this call began waiting for a backward clock; -1 if not waiting
	waitedOnce bool  // WaitThenError: this call has had its one wait

	// MonotonicAnchor: the wall reading and monotonic reading at creation.
	anchored   bool
	anchorWall int64
	anchorMono int64
}

// New returns a generator reading clk. It fails if the layout is invalid,
// the node fields do not fit it, or the policy's settings are missing.
func New(cfg Config, clk clock.Clock) (*Generator, error) {
	l := cfg.Layout
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if clk == nil {
		return nil, errors.New("snowflake: nil clock")
	}
	if cfg.Datacenter < 0 || uint64(cfg.Datacenter) > l.Datacenter.Max() {
		return nil, fmt.Errorf("snowflake: %s %d out of range 0..%d for layout %s", l.DatacenterName(), cfg.Datacenter, l.Datacenter.Max(), l.Name)
	}
	if cfg.Worker < 0 || uint64(cfg.Worker) > l.Worker.Max() {
		return nil, fmt.Errorf("snowflake: %s %d out of range 0..%d for layout %s", l.WorkerName(), cfg.Worker, l.Worker.Max(), l.Name)
	}
	if cfg.OnBackward > WaitThenError {
		return nil, fmt.Errorf("snowflake: unknown policy %v", cfg.OnBackward)
	}
	if (cfg.OnBackward == Wait || cfg.OnBackward == WaitThenError) && cfg.MaxWait <= 0 {
		return nil, fmt.Errorf("snowflake: the %v policy needs a positive MaxWait", cfg.OnBackward)
	}
	g := &Generator{
		clk:       clk,
		epochNs:   l.Epoch.UnixNano(),
		unitNs:    int64(l.Unit),
		maxTick:   int64(l.Time.Max()),
		timeShift: l.Time.Shift,
		seqShift:  l.Sequence.Shift,
		maxSeq:    l.Sequence.Max(),
		node:      uint64(cfg.Datacenter)<<l.Datacenter.Shift | uint64(cfg.Worker)<<l.Worker.Shift,
		policy:    cfg.OnBackward,
		maxWaitNs: int64(cfg.MaxWait),
		lastTick:  -1,
		curTick:   -1,
		waitStart: -1,
	}
	if cfg.OnBackward == MonotonicAnchor {
		g.anchored, g.anchorWall, g.anchorMono = true, clk.Now(), clk.Monotonic()
	}
	return g, nil
}

// now reads the wall clock, or under MonotonicAnchor the anchored
// monotonic clock.
func (g *Generator) now() int64 {
	if g.anchored {
		return g.anchorWall + g.clk.Monotonic() - g.anchorMono
	}
	return g.clk.Now()
}

// Last returns the end of the tick of the last ID issued (Unix ns): every
// ID issued so far carries an earlier time. ok is false before the first
// ID. A caller that persists a high-water mark uses it, since a
// generator's time can run ahead of the wall clock (MonotonicAnchor
// after a step back, Borrow).
func (g *Generator) Last() (end int64, ok bool) {
	if g.lastTick < 0 {
		return 0, false
	}
	return g.epochNs + (g.lastTick+1)*g.unitNs, true
}

// Next returns a new ID, sleeping when the sequence of the current tick is
// used up or when the Wait policy waits for the clock. It sleeps through
// the clock when the clock is a clock.Sleeper.
func (g *Generator) Next() (uint64, error) {
	for {
		id, wait, err := g.TryNext()
		if err != nil {
			return 0, err
		}
		if wait == 0 {
			return id, nil
		}
		clock.Sleep(g.clk, wait)
	}
}

// TryNext is the non-blocking step behind Next. It returns:
//
//   - (id, 0, nil): id was issued;
//   - (0, d, nil): nothing was issued; read the clock again after d
//     (the sequence is used up, or the Wait policy is waiting for the
//     clock to catch up);
//   - (0, 0, err): the call failed.
//
// A caller that gets a wait should retry, as Next does: the Wait policy
// counts the time since the first wait of a call against MaxWait.
func (g *Generator) TryNext() (id uint64, wait time.Duration, err error) {
	var now int64
	if g.anchored {
		now = g.now()
	} else {
		now = g.clk.Now()
	}
	tick := g.curTick
	if now < g.curStart || now >= g.curEnd {
		if tick, err = g.tickAt(now); err != nil {
			g.waitStart = -1
			return 0, 0, err
		}
	}
	switch {
	case tick == g.lastTick:
		if g.seq >= g.maxSeq {
			// Sequence used up: wait for the next tick.
			return 0, time.Duration(g.curEnd - now), nil
		}
		g.seq++
	case tick > g.lastTick:
		g.lastTick = tick
		g.seq = 0
	default: // tick < g.lastTick: the clock went backwards.
		switch g.policy {
		case Ignore:
			g.lastTick = tick
			g.seq = 0
		case Borrow:
			if g.seq >= g.maxSeq {
				if g.lastTick >= g.maxTick {
					return 0, 0, fmt.Errorf("%w: borrowed up to the last tick", ErrHorizon)
				}
				g.lastTick++
				g.seq = 0
			} else {
				g.seq++
			}
			tick = g.lastTick
		case Error, MonotonicAnchor:
			return 0, 0, &BackwardError{Behind: time.Duration(g.epochNs + g.lastTick*g.unitNs - now), Policy: g.policy}
		case WaitThenError:
			behind := g.epochNs + g.lastTick*g.unitNs - now
			if g.waitedOnce || behind > g.maxWaitNs {
				g.waitedOnce = false
				return 0, 0, &BackwardError{Behind: time.Duration(behind), Policy: WaitThenError}
			}
			g.waitedOnce = true
			return 0, time.Duration(2 * behind), nil
		case Wait:
			behind := g.epochNs + g.lastTick*g.unitNs - now
			mono := g.clk.Monotonic()
			if g.waitStart < 0 {
				g.waitStart = mono
			}
			waited := mono - g.waitStart
			if waited+behind > g.maxWaitNs {
				g.waitStart = -1
				return 0, 0, &BackwardError{Behind: time.Duration(behind), Waited: time.Duration(waited), Policy: Wait}
			}
			return 0, time.Duration(behind), nil
		}
	}
	g.waitStart, g.waitedOnce = -1, false
	return uint64(tick)<<g.timeShift | g.node | g.seq<<g.seqShift, 0, nil
}

// tickAt converts a wall-clock reading to a tick, caching the tick's span.
func (g *Generator) tickAt(now int64) (int64, error) {
	d := now - g.epochNs
	if d < 0 {
		return 0, fmt.Errorf("%w: clock reads %s", ErrBeforeEpoch, time.Unix(0, now).UTC().Format(time.RFC3339Nano))
	}
	tick := d / g.unitNs
	if tick > g.maxTick {
		return 0, fmt.Errorf("%w: clock reads %s", ErrHorizon, time.Unix(0, now).UTC().Format(time.RFC3339Nano))
	}
	g.curTick = tick
	g.curStart = g.epochNs + tick*g.unitNs
	g.curEnd = g.curStart + g.unitNs
	return tick, nil
}
