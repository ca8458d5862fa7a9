package sim

import (
	"errors"
	"math"
	"time"

	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/record"
)

// Generator is the system under test as a worker drives it: the
// non-blocking step of a 64-bit ID generator. See
// snowflake.Generator.TryNext for the contract: an ID, or a wait after
// which to retry, or an error.
type Generator interface {
	TryNext() (id uint64, wait time.Duration, err error)
}

// WideGenerator is Generator for 128-bit IDs, returned as their high and
// low halves.
type WideGenerator interface {
	TryNext128() (hi, lo uint64, wait time.Duration, err error)
}

// BatchGenerator is a WideGenerator that can answer a run of calls in
// one exchange, such as a program behind a pipe, where one round trip per
// call would cost more than the call. A worker with no timer due hands
// it, at once, every call it will make before the next global event
// (up to MaxBatch): each call's clock readings, in order. The answers
// must be those TryNext128 would have given one call at a time; the
// batch form only saves round trips. A batch generator never asks to
// wait (it has no wait to return), so the calls' times are known before
// any of them is made.
type BatchGenerator interface {
	WideGenerator
	// TryBatch answers calls[i] in out[i]; len(out) == len(calls).
	TryBatch(calls []ClockReading, out []BatchResult)
}

// MaxBatch is the most calls a worker hands a BatchGenerator at once.
const MaxBatch = 4096

// ClockReading is what a worker's clock read at the moment of one call:
// the wall clock (Clock.Now) and the monotonic one (Clock.Monotonic).
type ClockReading struct {
	Unix, Mono int64
}

// BatchResult is the answer to one call of a batch: an ID, or an error.
type BatchResult struct {
	Hi, Lo uint64
	Err    error
}

// Instance is a generator built for one worker: exactly one of Narrow
// (64-bit IDs) and Wide (128-bit IDs) is set, the same one for every
// worker of a scheme.
type Instance struct {
	Narrow Generator
	Wide   WideGenerator
}

// Env is what a worker gives a scheme to build its generator from.
type Env struct {
	// Worker is the worker's index; a restarted worker keeps it.
	Worker   int
	Identity Identity
	// Clock is the worker's clock: the generator must read time only
	// from it.
	Clock *Clock
	// Entropy is the worker's seeded random stream: the generator must
	// draw randomness only from it. It carries on across restarts.
	Entropy entropy.Source
	// Net is the worker's connection to the world's services. A generator
	// blocked on a reply returns the wait Forever.
	Net *Endpoint
}

// Identity is what a worker is configured as: its datacenter and its node
// number within the datacenter. A scheme maps it to the fields of its IDs;
// two workers with the same Identity are configured identically.
type Identity struct {
	Datacenter int
	Node       int
}

// Scheme builds the generator a worker runs. NewGenerator is called when
// the simulation starts and again at every restart, so a generator's
// in-memory state does not survive a crash. The generator must read time
// only from env.Clock and randomness only from env.Entropy.
//
// A scheme that needs shared services (a database) also has a method
// Setup(*World) error, called once before any generator is built, which
// registers them with AddService.
type Scheme interface {
	// IDBits is the size of the scheme's IDs: 64 or 128.
	IDBits() int
	NewGenerator(env Env) (Instance, error)
}

// ErrWorkerDown is the error a call gets while its worker is crashed.
var ErrWorkerDown = errors.New("worker is down")

// IdentityChange records that a worker runs as Identity from true time
// From on.
type IdentityChange struct {
	From     int64
	Identity Identity
}

// OrderViolation is an ID that was not greater than the one its worker
// issued before it. For 128-bit IDs, ID and PrevID are the low halves and
// Hi and PrevHi the high ones.
type OrderViolation struct {
	Worker   int
	Index    int64 // position of ID in the worker's log
	Time     int64
	Hi, ID   uint64
	PrevHi   uint64
	PrevID   uint64
	PrevTime int64
}

// ErrorCount counts the calls that failed with one kind of error: the
// innermost error's message.
type ErrorCount struct {
	Kind      string
	Count     int64
	FirstTime int64
	Worker    int
	Example   string // the full message of the first occurrence
}

// WorkerStats are the counters of one worker.
type WorkerStats struct {
	// Offered counts arrivals that reached the worker before the end;
	// Generated, Errors and Unserved (still queued at the end) add up to
	// it.
	Offered, Generated, Errors, Unserved int64
	// WaitTotal sums, over calls, the time from a call's first attempt to
	// its completion; WaitMax is the longest; WaitedCalls counts calls
	// that waited at all.
	WaitTotal, WaitMax, WaitedCalls int64
	// LatencyTotal and LatencyMax measure from arrival to completion,
	// including time queued behind earlier calls; DelayedCalls counts
	// calls that completed later than they arrived.
	LatencyTotal, LatencyMax, DelayedCalls int64
	// PeakWindow is the most IDs issued in one rate window.
	PeakWindow int64
	// Lost counts IDs a generator held and never issued because its
	// process died: buffered ranges discarded at a crash, and replies
	// that arrived for a process that was gone.
	Lost int64
	// ErrorKinds counts failed calls by kind, in order of first
	// occurrence.
	ErrorKinds []ErrorCount
	// Violations lists the first MaxViolationsKept IDs issued out of
	// order; ViolationCount counts them all.
	Violations     []OrderViolation
	ViolationCount int64
}

// Worker is one simulated process running one generator.
type Worker struct {
	Index int

	world    *World
	identity Identity
	idents   []IdentityChange
	clk      *Clock
	rng      entropy.Source
	gen      Generator
	wgen     WideGenerator
	wide     bool
	arr      arrivals
	log      *record.Log
	order    check.Order
	order128 check.Order128
	lastTime int64

	net *Endpoint

	down        bool
	readyAt     int64 // no attempt before this true time: the generator asked to wait
	blocked     bool  // the generator waits for a reply (readyAt is Forever)
	pausedUntil int64 // no attempt before this true time: the process is paused
	callStart   int64 // true time of the current call's first attempt, or -1

	winEnd, winCount int64
	stats            WorkerStats

	// The batch in hand (see BatchGenerator): each call's readings, its
	// arrival and true time, and the answers.
	batchCalls []ClockReading
	batchAt    [][2]int64
	batchOut   []BatchResult
}

// Clock returns the worker's clock.
func (w *Worker) Clock() *Clock { return w.clk }

// Identity returns the identity the worker runs as now.
func (w *Worker) Identity() Identity { return w.identity }

// IdentityAt returns the identity the worker ran as at true time t.
func (w *Worker) IdentityAt(t int64) Identity {
	id := w.idents[0].Identity
	for _, c := range w.idents {
		if c.From <= t {
			id = c.Identity
		}
	}
	return id
}

// Log returns the record of the IDs the worker issued.
func (w *Worker) Log() *record.Log { return w.log }

// Stats returns the worker's counters.
func (w *Worker) Stats() *WorkerStats { return &w.stats }

// Down reports whether the worker is crashed.
func (w *Worker) Down() bool { return w.down }

// Pause stops the worker from true time t for d: requests queue and the
// generator keeps its state, as in a stop-the-world pause.
func (w *Worker) Pause(t, d int64) {
	w.pausedUntil = max(w.pausedUntil, t+d)
}

// Crash takes the worker down at true time t: the generator and its state
// are lost, and calls fail until Restart.
func (w *Worker) Crash(t int64) {
	w.loseBuffered()
	w.down = true
	w.gen, w.wgen = nil, nil
	w.callStart = -1
	w.readyAt, w.blocked = t, false
	w.net.epoch++
	w.net.onReply = nil
	w.net.clearTimers()
}

// Restart starts a new generator at true time t, from scratch. If the
// scheme cannot build one, the worker stays down.
func (w *Worker) Restart(t int64) error {
	w.loseBuffered()
	w.down = true
	w.gen, w.wgen = nil, nil
	w.callStart = -1
	if w.blocked {
		w.readyAt, w.blocked = t, false
	}
	w.readyAt = max(w.readyAt, t)
	w.net.epoch++
	w.net.onReply = nil
	w.net.clearTimers()
	w.clk.now = t
	inst, err := w.world.cfg.Scheme.NewGenerator(Env{Worker: w.Index, Identity: w.identity, Clock: w.clk, Entropy: w.rng, Net: w.net})
	if err != nil {
		return err
	}
	if (inst.Narrow == nil) == (inst.Wide == nil) || (inst.Wide != nil) != w.wide {
		return errors.New("sim: the scheme must build a 64-bit generator or a 128-bit one, the same kind for every worker")
	}
	w.gen, w.wgen = inst.Narrow, inst.Wide
	w.down = false
	return nil
}

// loseBuffered counts the IDs the generator holds as lost, before the
// generator is discarded.
func (w *Worker) loseBuffered() {
	if b, ok := w.gen.(Buffering); ok && !w.down {
		w.stats.Lost += int64(b.Buffered())
	}
}

// SetIdentity reconfigures the worker as id from true time t; it takes
// effect at the next Restart.
func (w *Worker) SetIdentity(t int64, id Identity) {
	w.identity = id
	w.idents = append(w.idents, IdentityChange{From: t, Identity: id})
}

// AddLoad adds an arrival process from true time from until to, on top
// of the worker's base load.
func (w *Worker) AddLoad(l Load, from, to int64, purpose string) error {
	s, err := newSource(l, from, min(to, w.world.cfg.Duration), w.world.Stream(purpose, uint64(w.Index)))
	if err != nil {
		return err
	}
	w.arr.extra = append(w.arr.extra, s)
	return nil
}

// run serves arrivals up to (not including) true time until.
func (w *Worker) run(until int64) {
	if b, ok := w.wgen.(BatchGenerator); ok && !w.down && w.net.due >= until && w.net.inDue >= until {
		w.runBatches(b, until)
		return
	}
	for {
		a, src := w.arr.peek()
		t := max(a, w.readyAt, w.pausedUntil)
		// A reply arriving by the next attempt comes first, before a
		// timer of the same instant.
		if d := w.net.inDue; d < until && d <= t && (w.net.due == math.MaxInt64 || d <= max(w.net.due, w.pausedUntil)) {
			w.receive()
			continue
		}
		// (A timer fires at its time or after a pause, never before
		// due: most calls need not look.)
		if w.net.due < until && w.net.due <= t && w.fireTimer(t, until) {
			continue
		}
		if t >= until {
			return
		}
		if w.down {
			w.stats.Offered++
			w.failed(a, ErrWorkerDown)
			w.arr.consume(src)
			continue
		}
		w.clk.now = t
		var hi, id uint64
		var wait time.Duration
		var err error
		if w.wide {
			hi, id, wait, err = w.wgen.TryNext128()
		} else {
			id, wait, err = w.gen.TryNext()
		}
		if wait > 0 {
			if w.callStart < 0 {
				w.callStart = t
			}
			if wait == Forever {
				w.readyAt, w.blocked = Forever, true
			} else {
				w.readyAt = t + int64(wait)
			}
			continue
		}
		w.stats.Offered++
		if w.callStart >= 0 {
			waited := t - w.callStart
			w.stats.WaitTotal += waited
			w.stats.WaitMax = max(w.stats.WaitMax, waited)
			w.stats.WaitedCalls++
			w.callStart = -1
		}
		if lat := t - a; lat > 0 {
			w.stats.LatencyTotal += lat
			w.stats.LatencyMax = max(w.stats.LatencyMax, lat)
			w.stats.DelayedCalls++
		}
		w.arr.consume(src)
		if err != nil {
			w.failed(t, err)
			continue
		}
		if w.wide {
			w.issued128(hi, id, t)
		} else {
			w.issued(id, t)
		}
	}
}

// runBatches serves arrivals up to (not including) true time until
// through a BatchGenerator, MaxBatch calls at a time, with the same
// counters and records as run gives one call at a time.
func (w *Worker) runBatches(b BatchGenerator, until int64) {
	for {
		calls, at := w.batchCalls[:0], w.batchAt[:0]
		for len(calls) < MaxBatch {
			a, src := w.arr.peek()
			t := max(a, w.readyAt, w.pausedUntil)
			if t >= until {
				break
			}
			w.clk.now = t
			calls = append(calls, ClockReading{Unix: w.clk.Now(), Mono: w.clk.Monotonic()})
			at = append(at, [2]int64{a, t})
			w.arr.consume(src)
		}
		w.batchCalls, w.batchAt = calls, at
		if len(calls) == 0 {
			return
		}
		if cap(w.batchOut) < len(calls) {
			w.batchOut = make([]BatchResult, len(calls), MaxBatch)
		}
		out := w.batchOut[:len(calls)]
		clear(out)
		b.TryBatch(calls, out)
		for i, r := range out {
			a, t := at[i][0], at[i][1]
			w.stats.Offered++
			if lat := t - a; lat > 0 {
				w.stats.LatencyTotal += lat
				w.stats.LatencyMax = max(w.stats.LatencyMax, lat)
				w.stats.DelayedCalls++
			}
			if r.Err != nil {
				w.failed(t, r.Err)
				continue
			}
			w.issued128(r.Hi, r.Lo, t)
		}
		if len(calls) < MaxBatch {
			return
		}
	}
}

// fireTimer runs the earliest timer if it is due before the next attempt
// at t and before until, and reports whether it did. A paused worker's
// timers wait for the pause to end.
func (w *Worker) fireTimer(t, until int64) bool {
	k := w.net.nextTimer()
	at := max(w.net.timers[k].at, w.pausedUntil)
	if at >= until || at > t {
		return false
	}
	fn := w.net.timers[k].fn
	w.net.timers = append(w.net.timers[:k], w.net.timers[k+1:]...)
	w.net.due = math.MaxInt64
	for _, x := range w.net.timers {
		w.net.due = min(w.net.due, x.at)
	}
	w.clk.now = at
	fn()
	if w.blocked {
		w.readyAt, w.blocked = at, false
	}
	return true
}

// issued records an ID and checks the worker's order.
func (w *Worker) issued(id uint64, t int64) {
	prev, _ := w.order.Last()
	if !w.order.Next(id) {
		w.violation(0, id, 0, prev, t)
	}
	w.log.Append(id, t)
	w.count(t)
}

// issued128 records a 128-bit ID and checks the worker's order.
func (w *Worker) issued128(hi, lo uint64, t int64) {
	prevHi, prevLo, _ := w.order128.Last()
	if !w.order128.Next(hi, lo) {
		w.violation(hi, lo, prevHi, prevLo, t)
	}
	w.log.Append128(hi, lo, t)
	w.count(t)
}

// count updates the counters for an ID issued at true time t.
func (w *Worker) count(t int64) {
	w.lastTime = t
	w.stats.Generated++
	if t >= w.winEnd {
		w.stats.PeakWindow = max(w.stats.PeakWindow, w.winCount)
		win := w.world.cfg.RateWindow
		w.winEnd = (t/win + 1) * win
		w.winCount = 0
	}
	w.winCount++
}

// violation records an out-of-order ID. Kept out of line: it is rare.
func (w *Worker) violation(hi, id, prevHi, prev uint64, t int64) {
	w.stats.AddViolation(OrderViolation{
		Worker:   w.Index,
		Index:    w.log.Len(),
		Time:     t,
		Hi:       hi,
		ID:       id,
		PrevHi:   prevHi,
		PrevID:   prev,
		PrevTime: w.lastTime,
	})
}

// MaxViolationsKept is how many out-of-order IDs a worker's counters
// keep in full: enough for any report (which lists the run's first
// thousand, and those are among each worker's first thousand), while a
// scheme with no order at all holds a bounded list however long it
// runs.
const MaxViolationsKept = 1000

// AddViolation counts an out-of-order ID, keeping it if fewer than
// MaxViolationsKept are kept. Backends that build their own counters
// (live runs) record violations with it.
func (s *WorkerStats) AddViolation(v OrderViolation) {
	s.ViolationCount++
	if len(s.Violations) < MaxViolationsKept {
		s.Violations = append(s.Violations, v)
	}
}

// failed counts a failed call by the kind of its innermost error.
func (w *Worker) failed(t int64, err error) {
	w.stats.Errors++
	inner := err
	for {
		u := errors.Unwrap(inner)
		if u == nil {
			break
		}
		inner = u
	}
	kind := inner.Error()
	for i := range w.stats.ErrorKinds {
		if w.stats.ErrorKinds[i].Kind == kind {
			w.stats.ErrorKinds[i].Count++
			return
		}
	}
	w.stats.ErrorKinds = append(w.stats.ErrorKinds, ErrorCount{Kind: kind, Count: 1, FirstTime: t, Worker: w.Index, Example: err.Error()})
}

// finish closes the books at the end of the run: the last rate window and
// the arrivals still queued.
func (w *Worker) finish(end int64) {
	w.stats.PeakWindow = max(w.stats.PeakWindow, w.winCount)
	for {
		a, src := w.arr.peek()
		if a >= end || a == math.MaxInt64 {
			return
		}
		w.stats.Offered++
		w.stats.Unserved++
		w.arr.consume(src)
	}
}

// SharedScheme is a Scheme whose generators share state the simulator
// cannot see, such as one program serving every worker. When Shared
// reports true, the world runs the workers one instant at a time in
// true-time order (ties in worker order) rather than each through its
// window on its own, so that the shared state sees the calls in the
// order they happen and the run is reproducible; it costs parallelism.
type SharedScheme interface {
	Scheme
	Shared() bool
}

// TimerSender is a Scheme whose generators send requests only from
// their timers (Endpoint.After) and reply handlers, never from a call,
// and set no timer less than TimerDelay nanoseconds ahead. No message is
// then sent before the earliest timer due (or TimerDelay from now, for a
// timer not yet set) or reply, and the world cuts its windows at the
// earliest moment such a message could arrive rather than every smallest
// latency: fewer windows, the same outcome. A TimerDelay of 0 or less
// claims nothing.
type TimerSender interface {
	Scheme
	TimerDelay() int64
}

// nextAttempt is the true time of the worker's next attempt or timer:
// what run would do next.
func (w *Worker) nextAttempt() int64 {
	a, _ := w.arr.peek()
	t := max(a, w.readyAt, w.pausedUntil)
	if w.net.due < math.MaxInt64 {
		t = min(t, max(w.net.due, w.pausedUntil))
	}
	return min(t, w.net.inDue)
}

// ServiceScheme is a Scheme that needs shared services: Setup is called
// once before any generator is built and registers them with AddService.
type ServiceScheme interface {
	Scheme
	Setup(w *World) error
}

// Buffering is a generator that holds IDs it has not issued yet (range
// allocation); they count as lost when its worker crashes.
type Buffering interface {
	Buffered() uint64
}

// Recorder is a Service whose request/reply exchanges the world keeps
// when RecordExchanges returns true, for linearizability checks.
type Recorder interface {
	RecordExchanges() bool
}

// Carrier is a reply that carries IDs (a range); a reply lost to a
// crashed worker counts them as lost.
type Carrier interface {
	IDs() uint64
}
