package schemes

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/workerid"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
)

// WorkerIDs says how Snowflake workers get their worker IDs and what they
// do to keep them safe.
type WorkerIDs struct {
	// Strategy picks the ID: Static takes the configured one.
	Strategy coord.Strategy
	// TTL is the session timeout or lease time-to-live.
	TTL time.Duration
	// Heartbeat is how often a holder renews its session. Unanswered
	// claims are sent again after the same interval.
	Heartbeat time.Duration
	// Fence, when set, stops a holder from issuing IDs once Margin short
	// of TTL has passed since its last acknowledged renewal was sent (see
	// workerid.Fence). Without it, a holder issues until a renewal's
	// reply tells it the session is gone.
	Fence  bool
	Margin time.Duration
	// PerDatacenter restricts claims to the worker's datacenter's share
	// of the node IDs.
	PerDatacenter bool
	// StartupWait makes a new process wait this long before its first ID:
	// waiting out the largest clock skew there can be means its clock is
	// past every timestamp its previous incarnation used.
	StartupWait time.Duration
	// PersistLastTimestamp keeps, per worker ID, a high-water mark in the
	// coordinator: a holder issues IDs only up to the mark it has had
	// acknowledged (proposing now + 2 heartbeats at every renewal), and a
	// new holder waits until its clock is past the previous mark.
	PersistLastTimestamp bool
	// SeqStart is the coordinator's first sequential node number.
	SeqStart int64
	// Latency is the one-way network delay to the coordinator.
	Latency sim.Latency
	// Lease marks a LowestFree strategy meant as a lease, for
	// descriptions: with Fence off it is a lease without a safety margin.
	Lease bool
}

// UsesCoordinator reports whether the workers talk to a coordinator.
func (c WorkerIDs) UsesCoordinator() bool {
	return c.Strategy != coord.Static || c.PersistLastTimestamp
}

// Coordinated runs Snowflake generators whose worker IDs come from a
// coordinator, or from configuration guarded by start-up mitigations.
type Coordinated struct {
	Snowflake Snowflake
	IDs       WorkerIDs
}

// IDBits returns 64.
func (Coordinated) IDBits() int { return 64 }

// Setup registers the coordinator, if the strategy needs one.
func (s Coordinated) Setup(w *sim.World) error {
	if !s.IDs.UsesCoordinator() {
		return nil
	}
	return w.AddService(coord.ServiceName, &coord.Coordinator{SeqStart: s.IDs.SeqStart}, s.IDs.Latency)
}

// TimerDelay says that a worker sends only from its timers, a heartbeat
// ahead or more, and its reply handler (sim.TimerSender).
func (s Coordinated) TimerDelay() int64 {
	if !s.IDs.UsesCoordinator() {
		return 0
	}
	return int64(s.IDs.Heartbeat)
}

// Range returns the node IDs [lo, hi) a worker of identity id may claim.
func (s Coordinated) Range(id sim.Identity) (lo, hi int64) {
	l := s.Snowflake.Layout
	n := int64(1) << l.NodeBits()
	dcs := int64(max(1, s.Snowflake.Datacenters))
	if !s.IDs.PerDatacenter || dcs == 1 {
		return 0, n
	}
	if l.Datacenter.Bits > 0 {
		lo = int64(id.Datacenter) << l.Worker.Bits
		return lo, lo + int64(1)<<l.Worker.Bits
	}
	per := n / dcs
	return int64(id.Datacenter) * per, int64(id.Datacenter+1) * per
}

// NewGenerator builds one worker's client.
func (s Coordinated) NewGenerator(env sim.Env) (sim.Instance, error) {
	c := &coordClient{s: s, env: env, start: env.Clock.Monotonic()}
	c.fence = workerid.Fence{TTL: s.IDs.TTL, Margin: s.IDs.Margin}
	if !s.IDs.UsesCoordinator() {
		dc, w, err := s.Snowflake.Fields(env.Identity)
		if err != nil {
			return sim.Instance{}, err
		}
		if err := c.build(dc, w); err != nil {
			return sim.Instance{}, err
		}
		return sim.Instance{Narrow: c}, nil
	}
	env.Net.OnReply(c.reply)
	c.claim()
	return sim.Instance{Narrow: c}, nil
}

// coordClient is one worker's generator: a Snowflake generator plus the
// session that entitles it to its worker ID.
type coordClient struct {
	s     Coordinated
	env   sim.Env
	start int64 // monotonic time the process started
	gen   *snowflake.Generator

	req     uint64 // number of the last request sent
	pending uint64 // the claim awaiting a reply, or 0
	sent    map[uint64]int64
	session uint64
	fence   workerid.Fence

	notBefore int64 // wall time: no ID before it (the previous holder's mark)
	acked     int64 // wall time: no ID after it (our acknowledged mark)
}

func (c *coordClient) build(dc, w int64) error {
	g, err := snowflake.New(snowflake.Config{
		Layout: c.s.Snowflake.Layout, Datacenter: dc, Worker: w,
		OnBackward: c.s.Snowflake.OnBackward, MaxWait: c.s.Snowflake.MaxWait,
	}, c.env.Clock)
	c.gen = g
	return err
}

func (c *coordClient) mark() int64 {
	if !c.s.IDs.PersistLastTimestamp {
		return 0
	}
	return c.genNow() + 2*int64(c.s.IDs.Heartbeat)
}

// genNow is the time the generator is at: the wall clock, or later if
// the generator's IDs already carry a later time (a monotonic anchor
// after the wall clock was stepped back).
func (c *coordClient) genNow() int64 {
	now := c.env.Clock.Now()
	if c.gen != nil {
		if last, ok := c.gen.Last(); ok {
			now = max(now, last)
		}
	}
	return now
}

func (c *coordClient) send(req any) {
	c.env.Net.Send(coord.ServiceName, req)
}

// claim asks for a worker ID and sends the claim again if no reply
// comes within a heartbeat.
func (c *coordClient) claim() {
	c.req++
	c.pending = c.req
	if c.sent == nil {
		c.sent = map[uint64]int64{}
	}
	c.sent[c.req] = c.env.Net.Now()
	lo, hi := c.s.Range(c.env.Identity)
	if c.s.IDs.Strategy == coord.Static {
		dc, w, _ := c.s.Snowflake.Fields(c.env.Identity)
		lo = dc<<c.s.Snowflake.Layout.Worker.Bits | w
	}
	c.send(coord.Claim{Req: c.req, Strategy: c.s.IDs.Strategy, Lo: lo, Hi: hi, TTL: int64(c.s.IDs.TTL), HighWater: c.mark()})
	req := c.req
	c.env.Net.After(int64(c.s.IDs.Heartbeat), func() {
		if c.pending == req {
			c.claim()
		}
	})
}

// heartbeat renews the session every interval while it is held.
func (c *coordClient) heartbeat(session uint64) {
	c.env.Net.After(int64(c.s.IDs.Heartbeat), func() {
		if c.session != session {
			return
		}
		c.req++
		c.sent[c.req] = c.env.Net.Now()
		c.send(coord.KeepAlive{Req: c.req, Session: session, HighWater: c.mark()})
		c.heartbeat(session)
	})
}

func (c *coordClient) reply(r any) {
	switch r := r.(type) {
	case coord.ClaimReply:
		if r.Req != c.pending {
			return // an answer to a claim sent again: the session lapses
		}
		c.pending = 0
		if r.Err != nil {
			c.env.Net.After(int64(c.s.IDs.Heartbeat), c.claim)
			return
		}
		dc, w, _ := c.s.Snowflake.Layout.SplitNode(r.ID)
		if err := c.build(dc, w); err != nil {
			panic(err) // the range fits the layout: validated
		}
		c.session = r.Session
		c.fence.Confirmed(c.sent[r.Req])
		if r.PrevHighWater > 0 {
			c.notBefore = r.PrevHighWater + int64(c.s.Snowflake.Layout.Unit)
		}
		c.acked = r.HighWater
		c.heartbeat(r.Session)
	case coord.KeepAliveReply:
		sent, ok := c.sent[r.Req]
		delete(c.sent, r.Req)
		if !ok || c.session == 0 {
			return
		}
		if !r.OK {
			// The session is gone and the ID may be someone else's now:
			// stop and claim again.
			c.session, c.gen = 0, nil
			c.fence.Lost()
			c.claim()
			return
		}
		c.fence.Confirmed(sent)
		c.acked = max(c.acked, r.HighWater)
	}
}

// TryNext issues an ID if the worker holds a worker ID it may use.
func (c *coordClient) TryNext() (uint64, time.Duration, error) {
	if c.gen == nil {
		return 0, sim.Forever, nil // waiting for a worker ID
	}
	mono := c.env.Clock.Monotonic()
	if w := c.start + int64(c.s.IDs.StartupWait) - mono; w > 0 {
		return 0, time.Duration(w), nil
	}
	if c.s.IDs.Fence && !c.fence.Allows(mono) {
		return 0, sim.Forever, nil // in doubt: wait for a renewal
	}
	if c.s.IDs.PersistLastTimestamp {
		now := c.env.Clock.Now()
		if now < c.notBefore {
			return 0, time.Duration(c.notBefore - now), nil
		}
		if c.genNow() > c.acked {
			return 0, sim.Forever, nil // past the persisted mark: wait for it to move
		}
	}
	return c.gen.TryNext()
}

// Describe says in one line how workers get their IDs.
func (c WorkerIDs) Describe() string {
	var s string
	switch c.Strategy {
	case coord.Static:
		s = "static worker IDs"
	case coord.SequentialMod:
		s = fmt.Sprintf("ephemeral sequential node mod ID space, session timeout %v", c.TTL)
	case coord.LowestFree:
		s = fmt.Sprintf("claim lowest free ID, session timeout %v", c.TTL)
	}
	if c.Fence {
		s = fmt.Sprintf("lease %v, heartbeat %v, fenced %v before expiry", c.TTL, c.Heartbeat, c.Margin)
	} else if c.Lease {
		s = fmt.Sprintf("lease %v, heartbeat %v, no safety margin (issues until told the lease is gone)", c.TTL, c.Heartbeat)
	} else if c.Strategy != coord.Static {
		s += fmt.Sprintf(", heartbeat %v, unfenced", c.Heartbeat)
	}
	if c.PerDatacenter {
		s += ", per datacenter"
	}
	if c.StartupWait > 0 {
		s += fmt.Sprintf(", waits %v on start", c.StartupWait)
	}
	if c.PersistLastTimestamp {
		s += ", last timestamp persisted in the coordinator"
	}
	return s
}
