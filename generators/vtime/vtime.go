// Package vtime makes unmodified Go code — a third-party ID library that
// calls time.Now and time.Sleep itself — run on a clock.Clock: virtual
// time that tests can step backwards, drift and freeze.
//
// It needs the test binary built with the overlay that idsim generates
// from the installed toolchain's sources:
//
//	idsim vtime overlay /tmp/vt
//	go test -overlay=/tmp/vt/overlay.json ./...
//
// The overlay adds a file to this package that links it to a hook in
// package time. Without it this package builds as usual, Available
// reports false and Use panics with Err's message.
//
// While a clock is installed with Use, the whole program's time follows
// it: time.Now's wall reading is the clock's Now and its monotonic
// reading the clock's Monotonic, consistently, so time.Since and
// time.Until (which use the monotonic reading) and Time.Sub follow the
// clock as they follow the machine's clocks. time.Sleep(d) advances the
// clock by d and returns at once. Timers and tickers (time.NewTimer,
// time.After, time.Tick, time.AfterFunc) stay on real time.
//
// The hook is global, not per goroutine: goroutines that a library
// starts itself see whichever clock is installed at the moment they read
// the time, and real time when none is. A background goroutine that
// sleeps in a loop while a clock is installed advances that clock.
package vtime

import (
	"errors"
	"sync"
	"time"
	_ "unsafe" // for go:linkname

	"github.com/idsim/idsim/generators/clock"
)

// hooks must have the layout of the overlay's time.vtimeHooks.
type hooks struct {
	now   func() (sec int64, nsec int32, mono int64)
	nano  func() int64
	sleep func(ns int64)
}

// install stores h (or nil) as package time's hook. The file the overlay
// adds to this package sets it; it is nil without the overlay.
var install func(h *hooks)

// Available reports whether the program was built with the overlay, so
// that Use can steer time.
func Available() bool { return install != nil }

// ErrUnavailable explains how to build with the overlay.
var ErrUnavailable = errors.New("vtime: virtual time needs the test binary built with idsim's overlay of package time: run `idsim vtime overlay DIR` (it prints DIR/overlay.json) and then `go test -overlay=DIR/overlay.json ...`")

// Err is nil when virtual time is available and ErrUnavailable
// otherwise.
func Err() error {
	if Available() {
		return nil
	}
	return ErrUnavailable
}

// monoBase is added to the clock's monotonic reading so that it is never
// 0, which time.Now would take for "no monotonic reading".
const monoBase = 1 << 60

var (
	mu     sync.Mutex
	cur    *state // the installed clock, nil for real time
	hooked bool
)

type state struct {
	c    clock.Clock
	s    clock.Sleeper // c as a Sleeper, or nil
	step int64
	// unlocked: c's methods are called without mu held (UseUnlocked).
	unlocked bool
}

// tick advances the clock by the per-read step, mu held.
func (s *state) tick() {
	if s.step > 0 && s.s != nil {
		s.s.Sleep(time.Duration(s.step))
	}
}

var theHooks = &hooks{
	now: func() (int64, int32, int64) {
		mu.Lock()
		s := cur
		if s == nil {
			mu.Unlock()
			return realNow()
		}
		if s.unlocked {
			mu.Unlock()
		} else {
			defer mu.Unlock()
		}
		wall, mono := s.c.Now(), s.c.Monotonic()
		s.tick()
		sec, nsec := wall/1e9, wall%1e9
		if nsec < 0 {
			sec, nsec = sec-1, nsec+1e9
		}
		return sec, int32(nsec), mono + monoBase
	},
	nano: func() int64 {
		mu.Lock()
		s := cur
		if s == nil {
			mu.Unlock()
			return realNano()
		}
		if s.unlocked {
			mu.Unlock()
		} else {
			defer mu.Unlock()
		}
		mono := s.c.Monotonic()
		s.tick()
		return mono + monoBase
	},
	sleep: func(ns int64) {
		mu.Lock()
		s := cur
		if s == nil {
			mu.Unlock()
			realSleep(ns)
			return
		}
		if s.unlocked {
			mu.Unlock()
		} else {
			defer mu.Unlock()
		}
		if ns > 0 && s.s != nil {
			s.s.Sleep(time.Duration(ns))
		}
	},
}

// The runtime's clocks, read directly so that the hook, once installed,
// gives real time while no clock is.
//
//go:linkname realNow time.now
func realNow() (sec int64, nsec int32, mono int64)

//go:linkname realNano runtime.nanotime
func realNano() int64

// realSleep is the runtime's time.Sleep, which the overlay's file sets
// (time.Sleep itself would call the hook again).
var realSleep func(ns int64)

// Use makes the program's time follow c until restore is called, and
// returns restore. Every reading (time.Now, time.Since, time.Until)
// advances c by step afterwards, so that a loop spinning until the time
// changes makes progress; time.Sleep(d) advances c by d. Advancing needs
// c to be a clock.Sleeper whose Sleep advances it without blocking (as
// clock.Manual and gentest's clocks do); with any other clock, reads do
// not advance it and sleeps return at once.
//
// Uses nest: restore reinstates the clock installed before. c's methods
// are called with a lock held, from any goroutine that reads the time,
// and must not read the time through package time themselves.
//
// Use panics with ErrUnavailable's message when Available is false.
func Use(c clock.Clock, step time.Duration) (restore func()) {
	return use(&state{c: c, step: int64(step)})
}

// UseUnlocked is Use without the lock: c's methods are called on the
// goroutine that reads the time, with nothing held, so that they may
// suspend it — as the clock of a sim.Blocking generator does when the
// library sleeps or spins, handing the wait to the simulator. The caller
// must make sure that only code meant to run on c reads the time while c
// is installed: install it around each step of the generator (as
// thirdparty/simkinds does) and restore it before anything else runs.
func UseUnlocked(c clock.Clock) (restore func()) {
	return use(&state{c: c, unlocked: true})
}

func use(s *state) (restore func()) {
	if !Available() {
		panic(ErrUnavailable.Error())
	}
	s.s, _ = s.c.(clock.Sleeper)
	mu.Lock()
	prev := cur
	cur = s
	if !hooked {
		hooked = true
		install(theHooks)
	}
	mu.Unlock()
	return func() {
		mu.Lock()
		cur = prev
		mu.Unlock()
	}
}
