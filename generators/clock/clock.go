// Package clock is the time source that ID generators are handed instead of
// reading time.Now themselves.
//
// A generator in idsim never calls time.Now or time.Sleep directly. It reads
// a Clock, which has two faces, like an operating system's:
//
//   - Now is the wall clock (CLOCK_REALTIME): nanoseconds since the Unix
//     epoch. It is what goes into IDs, and it can jump backwards or forwards
//     when NTP steps it, drift, or stand still.
//   - Monotonic (CLOCK_MONOTONIC) never goes backwards and is not stepped.
//     Generators use it to measure how long they have waited.
//
// System is the real clock. The simulator hands each virtual worker its own
// Clock whose wall reading faults can step, drift and freeze.
package clock

import (
	"runtime"
	"sync/atomic"
	"time"
	_ "unsafe" // for go:linkname
)

// Clock is a source of time for a generator.
type Clock interface {
	// Now returns the wall-clock time in nanoseconds since the Unix epoch.
	// Successive readings may go backwards.
	Now() int64
	// Monotonic returns nanoseconds since an arbitrary origin. Successive
	// readings never decrease.
	Monotonic() int64
}

// Sleeper is implemented by clocks that can block the caller. A generator's
// blocking API sleeps through it when the clock provides it, and through
// time.Sleep otherwise.
type Sleeper interface {
	Sleep(d time.Duration)
}

// Sleep blocks for d using c's Sleep method if c is a Sleeper, and
// time.Sleep otherwise.
func Sleep(c Clock, d time.Duration) {
	if s, ok := c.(Sleeper); ok {
		s.Sleep(d)
		return
	}
	time.Sleep(d)
}

// System is the machine's clock. Its zero value is ready to use, and it
// is safe for concurrent use.
//
// Reading the wall clock costs two clock reads in Go (time.Now reads the
// wall and the monotonic clock); a generator that reads it per ID spends
// most of its time there. System reads only the monotonic clock and
// derives the wall time from the last wall reading, re-reading the wall
// clock at least once per millisecond of monotonic time. A step of the
// wall clock (an NTP step, or an operator setting the time) therefore
// shows within a millisecond; differences under 100 µs between the derived
// and the real wall time are treated as rounding and left alone, so the
// reading does not jitter backwards at a re-read.
type System struct{}

// nanotime is the runtime's monotonic clock, the one behind time.Since,
// read directly: it saves the conversions time.Since does, a tenth of
// the cost of a clock read. The runtime keeps this name available to
// linkname for exactly this use.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// monoStart anchors System's monotonic readings at process start.
var monoStart = nanotime()

// wallAnchor maps monotonic readings to wall time: wall = Wall + (mono -
// Mono).
type wallAnchor struct{ Wall, Mono int64 }

var anchor atomic.Pointer[wallAnchor]

const (
	resyncEvery = int64(time.Millisecond)
	stepAtLeast = int64(100 * time.Microsecond)
)

// Now returns the wall-clock time in nanoseconds since the Unix epoch.
func (System) Now() int64 {
	mono := nanotime() - monoStart
	a := anchor.Load()
	if a != nil && mono-a.Mono < resyncEvery {
		return a.Wall + mono - a.Mono
	}
	return resync(a)
}

// resync reads the wall clock and moves the anchor if the wall clock was
// stepped (or on first use).
func resync(old *wallAnchor) int64 {
	wall := time.Now().UnixNano()
	mono := nanotime() - monoStart
	next := &wallAnchor{Wall: wall, Mono: mono}
	if old != nil {
		if d := wall - (old.Wall + mono - old.Mono); d > -stepAtLeast && d < stepAtLeast {
			next.Wall = old.Wall + mono - old.Mono // no step: keep the old line
		}
	}
	anchor.Store(next)
	return next.Wall
}

// Monotonic returns nanoseconds since the process started, read from the
// runtime's monotonic clock.
func (System) Monotonic() int64 { return nanotime() - monoStart }

// Sleep blocks for d. The scheduler's timers overshoot by tens of
// microseconds, which would cost a saturated generator a fifth of its
// ceiling when it waits out the rest of a millisecond, so System sleeps
// with time.Sleep only up to a millisecond before the deadline and yields
// in a loop for the rest.
func (System) Sleep(d time.Duration) {
	deadline := time.Now().Add(d)
	if d > 2*time.Millisecond {
		time.Sleep(d - time.Millisecond)
	}
	for time.Now().Before(deadline) {
		runtime.Gosched()
	}
}

// Manual is a clock that moves only when told to. It is meant for tests and
// examples: Sleep advances both faces by the slept duration instead of
// blocking. It is not safe for concurrent use.
type Manual struct {
	// Wall is the current wall-clock reading, in Unix nanoseconds.
	Wall int64
	// Mono is the current monotonic reading.
	Mono int64
}

// Now returns m.Wall.
func (m *Manual) Now() int64 { return m.Wall }

// Monotonic returns m.Mono.
func (m *Manual) Monotonic() int64 { return m.Mono }

// Advance moves both faces forward by d, as real time passing does.
func (m *Manual) Advance(d time.Duration) {
	m.Wall += int64(d)
	m.Mono += int64(d)
}

// Step moves only the wall clock by d, as an NTP step does; d may be
// negative.
func (m *Manual) Step(d time.Duration) { m.Wall += int64(d) }

// Sleep advances the clock by d instead of blocking.
func (m *Manual) Sleep(d time.Duration) {
	if d > 0 {
		m.Advance(d)
	}
}
