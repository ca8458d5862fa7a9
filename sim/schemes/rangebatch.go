package schemes

import (
	"errors"
	"time"

	"github.com/idsim/idsim/generators/rangebatch"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/lincheck"
)

// DatabaseService is the name under which range allocation schemes
// register their database with the world.
const DatabaseService = "db"

// ErrDatabaseUnavailable is the reply to a request that reaches the
// database during an outage.
var ErrDatabaseUnavailable = errors.New("database unavailable")

// SequenceDB is the simulated database behind range allocation: one
// sequence, incremented by each request, that can be down for spans of
// time. Requests are handled one at a time, in arrival order.
type SequenceDB struct {
	next    uint64
	step    uint64 // 0 or 1: contiguous; n: every n-th value (ticket servers)
	outages [][2]int64
	// ReadThenWrite, when positive, makes each allocation read the
	// counter when the request arrives and write it back this long after,
	// without a transaction: requests arriving in between read the same
	// value (the lost-update bug of a SELECT-then-UPDATE allocator).
	ReadThenWrite int64
	pending       []pendingWrite
	// Requests counts requests, Allocated the IDs handed out, Refused the
	// requests turned away by an outage.
	Requests, Allocated, Refused uint64
}

type pendingWrite struct {
	at    int64
	value uint64
}

// RecordExchanges asks the world to keep every allocation with its
// timing, for the linearizability check.
func (d *SequenceDB) RecordExchanges() bool { return true }

// Outage makes the database refuse requests arriving in [from, to).
func (d *SequenceDB) Outage(from, to int64) { d.outages = append(d.outages, [2]int64{from, to}) }

func (d *SequenceDB) down(now int64) bool {
	for _, o := range d.outages {
		if now >= o[0] && now < o[1] {
			return true
		}
	}
	return false
}

// allocRequest asks for N IDs; allocReply answers it.
type allocRequest struct{ N uint64 }

type allocReply struct {
	R   rangebatch.Range
	Err error
}

// IDs returns how many IDs the reply hands out.
func (r allocReply) IDs() uint64 { return r.R.Len() }

// Handle serves an allocation request.
func (d *SequenceDB) Handle(now int64, _ int, req any) any {
	r := req.(allocRequest)
	d.Requests++
	if d.down(now) {
		d.Refused++
		return allocReply{Err: ErrDatabaseUnavailable}
	}
	if d.ReadThenWrite > 0 {
		// Writes land ReadThenWrite after their read, in order.
		for len(d.pending) > 0 && d.pending[0].at <= now {
			d.next = d.pending[0].value
			d.pending = d.pending[1:]
		}
		lo := d.next
		d.pending = append(d.pending, pendingWrite{at: now + d.ReadThenWrite, value: lo + r.N})
		d.Allocated += r.N
		return allocReply{R: rangebatch.Range{Lo: lo, Hi: lo + r.N}}
	}
	lo := d.next
	if d.step > 1 {
		// A ticket server hands out one value at a time, step apart.
		d.next += d.step
		d.Allocated++
		return allocReply{R: rangebatch.Range{Lo: lo, Hi: lo + 1}}
	}
	d.next += r.N
	d.Allocated += r.N
	return allocReply{R: rangebatch.Range{Lo: lo, Hi: lo + r.N}}
}

// RangeBatch takes ranges of Batch IDs from a database over the network
// and hands them out, prefetching the next when PrefetchAt of the current
// one is used. With Batch 1 and no prefetch it is auto-increment: one
// round trip per ID.
type RangeBatch struct {
	Config rangebatch.Config
	// Latency is the one-way network delay to the database.
	Latency sim.Latency
	// First is the first ID of the sequence.
	First uint64
	// ReadThenWrite plants the lost-update bug in the database: see
	// SequenceDB.ReadThenWrite.
	ReadThenWrite int64
}

// IDBits returns 64.
func (RangeBatch) IDBits() int { return 64 }

// Setup registers the database.
func (s RangeBatch) Setup(w *sim.World) error {
	return w.AddService(DatabaseService, &SequenceDB{next: s.First, ReadThenWrite: s.ReadThenWrite}, s.Latency)
}

// NewGenerator builds a worker's client.
func (s RangeBatch) NewGenerator(env sim.Env) (sim.Instance, error) {
	core, err := rangebatch.NewCore(s.Config)
	if err != nil {
		return sim.Instance{}, err
	}
	g := &batchClient{core: core, net: env.Net}
	env.Net.OnReply(g.reply)
	return sim.Instance{Narrow: g}, nil
}

// batchClient drives a rangebatch.Core with the simulated network.
type batchClient struct {
	core   *rangebatch.Core
	net    *sim.Endpoint
	failed error // a fetch failed while the pending call had nothing buffered
}

func (c *batchClient) TryNext() (uint64, time.Duration, error) {
	if err := c.failed; err != nil {
		c.failed = nil
		return 0, 0, err
	}
	id, a := c.core.Next()
	switch a {
	case rangebatch.IssuedFetch:
		c.net.Send(DatabaseService, allocRequest{N: c.core.Batch()})
	case rangebatch.Fetch:
		c.net.Send(DatabaseService, allocRequest{N: c.core.Batch()})
		return 0, sim.Forever, nil
	case rangebatch.Wait:
		return 0, sim.Forever, nil
	}
	return id, 0, nil
}

// Buffered returns the IDs the client holds and has not issued.
func (c *batchClient) Buffered() uint64 { return c.core.Buffered() }

func (c *batchClient) reply(r any) {
	rep := r.(allocReply)
	if rep.Err != nil {
		c.core.Failed()
		if c.core.Buffered() == 0 {
			c.failed = rep.Err
		}
		return
	}
	c.core.Supply(rep.R)
}

// Allocations returns, for the linearizability check, every allocation
// a worker completed against the world's databases: when it was sent,
// when its reply arrived, and the range it got. Failed requests, and
// replies that reached a dead process, are left out: whether they took
// effect is not known to the client.
func Allocations(w *sim.World) []lincheck.Op {
	var ops []lincheck.Op
	for _, x := range w.Exchanges() {
		rep, ok := x.Reply.(allocReply)
		if !ok || rep.Err != nil {
			continue
		}
		ops = append(ops, lincheck.Op{Client: x.Worker, Call: x.Sent, Return: x.Returned, N: rep.R.Len(), Lo: rep.R.Lo})
	}
	return ops
}
