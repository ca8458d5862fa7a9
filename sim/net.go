package sim

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// The network: workers talk to shared services (a database, a
// coordinator) by messages that take time to arrive.
//
// Workers run independently between global events, so a message a
// worker sends cannot take effect before the window it was sent in ends.
// The kernel guarantees that by cutting windows no longer than the
// smallest one-way latency (the lookahead): a request sent at t arrives at
// t + latency or later, after the window. At the end of each window the
// kernel queues the messages workers sent, in worker order then send
// order, so the interleaving is deterministic. A request arriving in a
// window was sent before it began, so at the start of each window the
// services handle, in order of arrival, every request arriving in it;
// a reply arrives a latency later, in a later window, and goes to its
// worker's inbox, which the worker takes in order of arrival as it runs,
// before its timers and calls of the same instant. Neither a request nor
// a reply ends a window, so a busy network costs no more windows than a
// quiet one.

// Forever is the wait a generator returns when it is blocked on a reply:
// its worker waits until a message is delivered to it.
const Forever = math.MaxInt64

// Latency is a one-way network delay: Base plus a uniform jitter in
// [0, Jitter), in nanoseconds.
type Latency struct {
	Base, Jitter int64
}

func (l Latency) sample(rng *rand.PCG) int64 {
	if l.Jitter <= 0 {
		return l.Base
	}
	return l.Base + int64(rng.Uint64()%uint64(l.Jitter))
}

// Service is a shared component workers send requests to. Handle runs at
// the true time a request arrives, one request at a time in a
// deterministic order, and returns the reply to send back (nil for none).
// A reply that hands out IDs (a range) has a method IDs() uint64, so that
// IDs in a reply to a dead process are counted as lost.
type Service interface {
	Handle(now int64, from int, request any) (reply any)
}

// service is a registered Service with its network.
type service struct {
	name    string
	svc     Service
	latency Latency
	rng     *rand.PCG // reply latencies
	record  bool      // keep its exchanges
}

// AddService registers a service reachable with the given one-way
// latency. It must be called before Run, typically from a scheme's Setup.
func (w *World) AddService(name string, svc Service, latency Latency) error {
	if latency.Base <= 0 {
		return fmt.Errorf("sim: service %s: latency must be positive", name)
	}
	for _, s := range w.services {
		if s.name == name {
			return fmt.Errorf("sim: service %s registered twice", name)
		}
	}
	rec, _ := svc.(Recorder)
	w.services = append(w.services, &service{name: name, svc: svc, latency: latency, rng: w.Stream("net/"+name, 0), record: rec != nil && rec.RecordExchanges()})
	if w.lookahead == 0 || latency.Base < w.lookahead {
		w.lookahead = latency.Base
	}
	return nil
}

// Service returns the service registered under name, or nil.
func (w *World) Service(name string) Service {
	for _, s := range w.services {
		if s.name == name {
			return s.svc
		}
	}
	return nil
}

// Exchange is a request a worker sent to a service and the reply it got:
// Sent and Returned are the true times the request left and the reply
// reached the worker. Only services with a method RecordExchanges() bool
// returning true have their exchanges kept, and only replies that reached
// a live process.
type Exchange struct {
	Service        string
	Worker         int
	Sent, Returned int64
	Request, Reply any
}

// Exchanges returns the recorded exchanges, in the order replies
// arrived.
func (w *World) Exchanges() []Exchange {
	var all []exchangeAt
	for _, wk := range w.workers {
		all = append(all, wk.net.kept...)
	}
	slices.SortFunc(all, func(a, b exchangeAt) int {
		return cmp.Or(cmp.Compare(a.ex.Returned, b.ex.Returned), cmp.Compare(a.seq, b.seq))
	})
	out := make([]Exchange, len(all))
	for i, e := range all {
		out[i] = e.ex
	}
	return out
}

// message is a request in flight from a worker.
type message struct {
	sent    int64
	arrive  int64
	service *service
	payload any
	epoch   uint64
	from    *Worker
	seq     uint64 // queueing order: a worker's requests in send order
}

// requestQueue orders requests in flight by arrival; requests arriving
// at the same instant by the time they were sent, then by worker, then
// in the order the worker sent them — an order that does not depend on
// where windows end.
type requestQueue []message

func (q requestQueue) Len() int { return len(q) }
func (q requestQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.arrive != b.arrive {
		return a.arrive < b.arrive
	}
	if a.sent != b.sent {
		return a.sent < b.sent
	}
	if a.from.Index != b.from.Index {
		return a.from.Index < b.from.Index
	}
	return a.seq < b.seq
}
func (q requestQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *requestQueue) Push(x any)   { *q = append(*q, x.(message)) }
func (q *requestQueue) Pop() any {
	old := *q
	m := old[len(old)-1]
	*q = old[:len(old)-1]
	return m
}

// delivery is a reply on its way back to a worker.
type delivery struct {
	at    int64
	seq   uint64 // the order of replies arriving together
	reply any
	req   message
}

// exchangeAt is a recorded exchange with the order its reply arrived in.
type exchangeAt struct {
	seq uint64
	ex  Exchange
}

// Endpoint is a worker's connection to the services. A generator gets it
// in its Env, sends requests with Send and receives replies through the
// function it registers with OnReply.
type Endpoint struct {
	w       *Worker
	rng     *rand.PCG
	outbox  []message
	onReply func(reply any)
	epoch   uint64 // bumped at every restart: replies to a dead process are dropped
	timers  []timer
	due     int64 // the earliest timer's time; MaxInt64 when there is none
	tseq    uint64
	delays  []delay
	inbox   []delivery
	inDue   int64 // the earliest delivery's time; MaxInt64 when there is none
	kept    []exchangeAt
}

// delay is extra one-way latency on a worker's messages sent in [from, to).
type delay struct{ from, to, by int64 }

// DelayNetwork adds by nanoseconds to the one-way latency of every message
// between the worker and the services — requests and replies — sent in
// true time [from, to): a congested or degraded link. Call it before Run
// or from an event.
func (wk *Worker) DelayNetwork(from, to, by int64) {
	wk.net.delays = append(wk.net.delays, delay{from, to, by})
}

// extra returns the added latency of a message sent at t.
func (e *Endpoint) extra(t int64) int64 {
	var d int64
	for _, x := range e.delays {
		if t >= x.from && t < x.to {
			d += x.by
		}
	}
	return d
}

// timer is a function a generator asked to run at a true time.
type timer struct {
	at  int64
	seq uint64
	fn  func()
}

// After runs fn on the worker d nanoseconds of true time from now, as a
// process's own timer does (a heartbeat, a request timeout): it does not
// fire while the worker is paused, fires late when the pause ends, and is
// cancelled when the process crashes. fn may send requests and set
// further timers; after it runs, the worker tries its pending call again.
// Timers due at the same time fire in the order they were set.
func (e *Endpoint) After(d int64, fn func()) {
	e.tseq++
	at := e.w.clk.now + max(d, 0)
	e.timers = append(e.timers, timer{at: at, seq: e.tseq, fn: fn})
	e.due = min(e.due, at)
}

// clearTimers cancels every timer.
func (e *Endpoint) clearTimers() {
	e.timers, e.due = nil, math.MaxInt64
}

// nextTimer returns the index of the earliest timer, or -1.
func (e *Endpoint) nextTimer() int {
	k := -1
	for i, t := range e.timers {
		if k < 0 || t.at < e.timers[k].at || t.at == e.timers[k].at && t.seq < e.timers[k].seq {
			k = i
		}
	}
	return k
}

// Now returns the worker's current true time: what its timers and the
// network measure from.
func (e *Endpoint) Now() int64 { return e.w.clk.now }

// Worker returns the index of the endpoint's worker.
func (e *Endpoint) Worker() int { return e.w.Index }

// Send sends a request to the named service from the worker's current
// true time.
func (e *Endpoint) Send(name string, request any) {
	var s *service
	for _, x := range e.w.world.services {
		if x.name == name {
			s = x
		}
	}
	if s == nil {
		panic(fmt.Sprintf("sim: no service %q", name))
	}
	now := e.w.clk.now
	e.outbox = append(e.outbox, message{sent: now, arrive: now + s.latency.sample(e.rng) + e.extra(now), service: s, payload: request, epoch: e.epoch})
}

// OnReply sets the function that receives replies. It runs at the true
// time a reply arrives, after which the worker tries its pending call
// again.
func (e *Endpoint) OnReply(fn func(reply any)) { e.onReply = fn }

// post queues the messages workers sent in the last window.
func (w *World) post() {
	if len(w.services) == 0 {
		return
	}
	for _, wk := range w.senders {
		ep := wk.net
		for _, m := range ep.outbox {
			w.seq++
			m.from, m.seq = wk, w.seq
			heap.Push(&w.requests, m)
		}
		ep.outbox = ep.outbox[:0]
	}
}

// handle lets the services handle every request arriving before until,
// in order of arrival, and puts their replies in the workers' inboxes.
// Called at the start of a window ending at until, no later than a
// smallest latency from now: every such request was sent before now, and
// every reply arrives at until or later.
func (w *World) handle(until int64) {
	for len(w.requests) > 0 && w.requests[0].arrive < until {
		m := heap.Pop(&w.requests).(message)
		now := m.arrive
		if now < w.now {
			// A window was cut too long: a kernel bug, never input.
			panic(fmt.Sprintf("sim: a request arriving at %d handled in the window from %d", now, w.now))
		}
		reply := m.service.svc.Handle(now, m.from.Index, m.payload)
		if reply == nil {
			continue
		}
		ep := m.from.net
		back := now + m.service.latency.sample(m.service.rng) + ep.extra(now)
		w.seq++
		ep.inbox = append(ep.inbox, delivery{at: back, seq: w.seq, reply: reply, req: m})
		ep.inDue = min(ep.inDue, back)
	}
}

// takeDelivery removes and returns the earliest delivery in the inbox.
func (e *Endpoint) takeDelivery() delivery {
	k := 0
	for i, d := range e.inbox {
		if d.at < e.inbox[k].at || d.at == e.inbox[k].at && d.seq < e.inbox[k].seq {
			k = i
		}
	}
	d := e.inbox[k]
	e.inbox = append(e.inbox[:k], e.inbox[k+1:]...)
	e.inDue = math.MaxInt64
	for _, x := range e.inbox {
		e.inDue = min(e.inDue, x.at)
	}
	return d
}

// receive delivers the earliest reply in the inbox, at its time.
func (wk *Worker) receive() {
	d := wk.net.takeDelivery()
	if d.at < wk.world.now {
		panic(fmt.Sprintf("sim: a reply arriving at %d delivered in the window from %d", d.at, wk.world.now))
	}
	m := d.req
	if wk.deliver(d.at, d.reply, m.epoch) && m.service.record {
		wk.net.kept = append(wk.net.kept, exchangeAt{d.seq, Exchange{Service: m.service.name, Worker: wk.Index, Sent: m.sent, Returned: d.at, Request: m.payload, Reply: d.reply}})
	}
}

// deliver hands a reply to the worker's generator and wakes the worker;
// it reports whether the process that asked was there to take it.
func (wk *Worker) deliver(now int64, reply any, epoch uint64) bool {
	ep := wk.net
	if wk.down || epoch != ep.epoch || ep.onReply == nil {
		// The process that asked is gone; what the reply carried is lost.
		if ids, ok := reply.(Carrier); ok {
			wk.stats.Lost += int64(ids.IDs())
		}
		return false
	}
	wk.clk.now = now
	ep.onReply(reply)
	if wk.blocked {
		wk.readyAt, wk.blocked = now, false
	}
	return true
}
