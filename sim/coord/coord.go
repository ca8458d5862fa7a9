// Package coord is the simulator's model of a worker-ID coordinator: a
// ZooKeeper ensemble or an etcd cluster reduced to what worker-ID
// assignment uses — sessions that live while they are renewed (a
// ZooKeeper session timeout, an etcd lease TTL), keys bound to them
// (ephemeral nodes, leased keys), an ever-increasing sequence for
// ephemeral sequential nodes, create-if-absent, and a small value per
// worker ID where a holder can persist the last timestamp it may have
// used.
//
// The coordinator runs as a sim.Service: it sees requests at the true
// time they arrive, one at a time, and keeps its own time, so a session
// expires exactly TTL after its last renewal arrived, whatever the
// holder believes. Faults cut the network between some workers and the
// coordinator for a while (Partition): their requests are lost.
//
// It is a model, not a client of a real one: the real etcd allocator is
// generators/workerid, tested against a real etcd.
package coord

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
)

// ServiceName is the name under which a Coordinator registers with the
// world.
const ServiceName = "coordinator"

// Strategy is how a claim picks a worker ID.
type Strategy int

const (
	// Static takes the ID the worker is configured with, unchecked: the
	// session only carries the persisted timestamp.
	Static Strategy = iota
	// SequentialMod creates an ephemeral sequential node and takes its
	// sequence number modulo the size of the range. Nothing checks that
	// the result is free.
	SequentialMod
	// LowestFree takes the lowest ID of the range that no live session
	// holds, by create-if-absent.
	LowestFree
)

// ErrNoFreeID is the reply to a LowestFree claim when live sessions hold
// every ID of the range.
var ErrNoFreeID = errors.New("no free worker ID")

// Claim opens a session with time-to-live TTL and asks for a worker ID in
// [Lo, Hi) (for Static, Lo itself). HighWater, when positive, is the
// latest wall-clock time (Unix ns) the claimant may issue IDs up to:
// the coordinator keeps the largest value any holder of the ID proposed.
// Req is echoed in the reply.
type Claim struct {
	Req       uint64
	Strategy  Strategy
	Lo, Hi    int64
	TTL       int64
	HighWater int64
}

// ClaimReply answers a Claim. PrevHighWater is the largest high-water
// mark persisted for the ID before this claim (0 if none); HighWater the
// one in force after it.
type ClaimReply struct {
	Req           uint64
	Session       uint64
	ID            int64
	Seq           int64 // the sequential node's number; -1 for other strategies
	PrevHighWater int64
	HighWater     int64
	Err           error
}

// KeepAlive renews a session and, when HighWater is positive, raises the
// persisted high-water mark of the ID the session holds.
type KeepAlive struct {
	Req       uint64
	Session   uint64
	HighWater int64
}

// KeepAliveReply answers a KeepAlive: OK is false when the session had
// already expired (and its ID may have been given to someone else).
type KeepAliveReply struct {
	Req       uint64
	OK        bool
	HighWater int64
	// Expired is when the session expired, when OK is false.
	Expired int64
}

// Grant records that a session was given a worker ID.
type Grant struct {
	Worker   int
	ID       int64
	Session  uint64
	Seq      int64
	Strategy Strategy
	// At is the coordinator's time of the grant.
	At int64
	// Expired is when the session expired, or -1 if it was still alive
	// at the last request the coordinator saw (see Expiry).
	Expired int64
	// holder is true for LowestFree keys: they block the ID until the
	// session ends.
	holder bool
}

type session struct {
	grant   int // index into Grants
	ttl     int64
	expires int64
}

type partition struct {
	workers  []int // ascending; empty means every worker
	from, to int64
	// Renewal losses only: each KeepAlive is lost when a draw from rng
	// falls below threshold (every one when all is set).
	threshold uint64
	all       bool
	rng       *rand.PCG
}

// Coordinator is the simulated coordination service. Its zero value is
// ready to use.
type Coordinator struct {
	// Grants lists every worker ID handed out, in order.
	Grants []Grant
	// Requests counts requests that arrived; Dropped those lost to a
	// partition.
	Requests, Dropped int64
	// SeqStart is the number the first sequential node gets: a cluster
	// that has been up for a while is far past zero.
	SeqStart int64

	seq        int64
	nextExpiry int64 // no live session expires before this
	sessions   map[uint64]*session
	live       []uint64 // live session IDs in creation order
	held       map[int64]uint64
	highWater  map[int64]int64
	partitions []partition
	losses     []partition
}

// Partition cuts the network between the listed workers (all when
// empty) and the coordinator from true time from until to: their
// requests arriving in [from, to) are lost.
func (c *Coordinator) Partition(workers []int, from, to int64) {
	ws := slices.Clone(workers)
	slices.Sort(ws)
	c.partitions = append(c.partitions, partition{workers: ws, from: from, to: to})
}

// LoseRenewals makes renewals from the listed workers (all when empty)
// arriving in [from, to) get lost, each with probability p, decided by
// draws from rng in arrival order.
func (c *Coordinator) LoseRenewals(workers []int, from, to int64, p float64, rng *rand.PCG) {
	ws := slices.Clone(workers)
	slices.Sort(ws)
	l := partition{workers: ws, from: from, to: to, rng: rng, all: p >= 1}
	if !l.all {
		// p·2^64 is exact in floating point: a power-of-two scaling.
		l.threshold = uint64(math.Ldexp(p, 64))
	}
	c.losses = append(c.losses, l)
}

func (p partition) covers(now int64, worker int) bool {
	if now < p.from || now >= p.to {
		return false
	}
	_, ok := slices.BinarySearch(p.workers, worker)
	return ok || len(p.workers) == 0
}

func (c *Coordinator) cut(now int64, worker int, req any) bool {
	for _, p := range c.partitions {
		if p.covers(now, worker) {
			return true
		}
	}
	if _, renewal := req.(KeepAlive); renewal {
		for _, l := range c.losses {
			if l.covers(now, worker) && (l.all || l.rng.Uint64() < l.threshold) {
				return true
			}
		}
	}
	return false
}

func (c *Coordinator) init() {
	if c.sessions == nil {
		c.sessions = map[uint64]*session{}
		c.held = map[int64]uint64{}
		c.highWater = map[int64]int64{}
		c.seq = c.SeqStart
	}
}

// expire ends every session whose time ran out by now, in creation
// order, releasing what it held.
func (c *Coordinator) expire(now int64) {
	if now < c.nextExpiry {
		return // renewals only push expiries later: nothing is due
	}
	next := int64(math.MaxInt64)
	c.live = slices.DeleteFunc(c.live, func(id uint64) bool {
		s := c.sessions[id]
		if s.expires > now {
			next = min(next, s.expires)
			return false
		}
		g := &c.Grants[s.grant]
		g.Expired = s.expires
		if g.holder && c.held[g.ID] == id {
			delete(c.held, g.ID)
		}
		delete(c.sessions, id)
		return true
	})
	c.nextExpiry = next
}

// Handle serves a Claim or a KeepAlive.
func (c *Coordinator) Handle(now int64, from int, req any) any {
	c.init()
	c.Requests++
	if c.cut(now, from, req) {
		c.Dropped++
		return nil
	}
	c.expire(now)
	switch r := req.(type) {
	case Claim:
		return c.claim(now, from, r)
	case KeepAlive:
		s, ok := c.sessions[r.Session]
		if !ok {
			exp := int64(-1)
			if int(r.Session) <= len(c.Grants) && r.Session > 0 {
				exp = c.Grants[r.Session-1].Expired
			}
			return KeepAliveReply{Req: r.Req, Expired: exp}
		}
		s.expires = now + s.ttl
		id := c.Grants[s.grant].ID
		if r.HighWater > c.highWater[id] {
			c.highWater[id] = r.HighWater
		}
		return KeepAliveReply{Req: r.Req, OK: true, HighWater: c.highWater[id]}
	}
	panic("coord: unknown request")
}

func (c *Coordinator) claim(now int64, from int, r Claim) ClaimReply {
	id, seq := r.Lo, int64(-1)
	switch r.Strategy {
	case SequentialMod:
		seq = c.seq
		c.seq++
		id = r.Lo + seq%(r.Hi-r.Lo)
	case LowestFree:
		id = -1
		for k := r.Lo; k < r.Hi; k++ {
			if _, taken := c.held[k]; !taken {
				id = k
				break
			}
		}
		if id < 0 {
			return ClaimReply{Req: r.Req, Seq: -1, Err: ErrNoFreeID}
		}
	}
	// Session IDs are grant positions + 1: every session holds one ID.
	sid := uint64(len(c.Grants) + 1)
	c.Grants = append(c.Grants, Grant{Worker: from, ID: id, Session: sid, Seq: seq, Strategy: r.Strategy, At: now, Expired: -1, holder: r.Strategy == LowestFree})
	c.sessions[sid] = &session{grant: len(c.Grants) - 1, ttl: r.TTL, expires: now + r.TTL}
	c.nextExpiry = min(c.nextExpiry, now+r.TTL)
	c.live = append(c.live, sid)
	if r.Strategy == LowestFree {
		c.held[id] = sid
	}
	prev := c.highWater[id]
	if r.HighWater > prev {
		c.highWater[id] = r.HighWater
	}
	return ClaimReply{Req: r.Req, Session: sid, ID: id, Seq: seq, PrevHighWater: prev, HighWater: c.highWater[id]}
}

// Expiry fills in, for sessions still alive at the coordinator's last
// request, when they would expire if never renewed again and that is
// before end; call it once after the run.
func (c *Coordinator) Expiry(end int64) {
	c.init()
	for _, id := range c.live {
		s := c.sessions[id]
		if s.expires < end {
			c.Grants[s.grant].Expired = s.expires
		}
	}
}

// Holding returns the grant under which worker held ID at true time t:
// the latest grant of ID to worker made at or before t, or nil.
func (c *Coordinator) Holding(worker int, id, t int64) *Grant {
	for i := len(c.Grants) - 1; i >= 0; i-- {
		g := &c.Grants[i]
		if g.Worker == worker && g.ID == id && g.At <= t {
			return g
		}
	}
	return nil
}
