package schemes

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
)

// Tickets is Flickr's ticket-server scheme ("Ticket Servers: Distributed
// Unique Primary Keys on the Cheap", code.flickr.net, 2010): n databases
// each with an auto-increment column, server k configured with
// auto_increment_increment = n and auto_increment_offset = k, so they
// hand out disjoint residues. Clients take the servers in turn and fail
// over to the next when one is down. IDs are unique but not ordered.
//
// The first server registers as "db", so the db_outage fault takes it
// down; the others are "db-2", "db-3", ….
type Tickets struct {
	Servers int
	Latency sim.Latency
	// SameOffset is the misconfiguration the scheme depends on avoiding:
	// every server configured with offset 1 (a replacement brought up
	// with the first one's settings), so they hand out the same tickets.
	SameOffset bool
}

// IDBits returns 64.
func (Tickets) IDBits() int { return 64 }

func ticketServer(k int) string {
	if k == 0 {
		return DatabaseService
	}
	return fmt.Sprintf("%s-%d", DatabaseService, k+1)
}

// Setup registers the servers.
func (t Tickets) Setup(w *sim.World) error {
	for k := range t.Servers {
		off := uint64(k + 1)
		if t.SameOffset {
			off = 1
		}
		if err := w.AddService(ticketServer(k), &SequenceDB{next: off, step: uint64(t.Servers)}, t.Latency); err != nil {
			return err
		}
	}
	return nil
}

// NewGenerator builds a worker's client. Workers start at different
// servers so the load spreads.
func (t Tickets) NewGenerator(env sim.Env) (sim.Instance, error) {
	c := &ticketClient{t: t, net: env.Net, next: env.Net.Worker() % t.Servers}
	env.Net.OnReply(c.reply)
	return sim.Instance{Narrow: c}, nil
}

type ticketClient struct {
	t       Tickets
	net     *sim.Endpoint
	next    int // the server to ask
	tried   int // servers that failed for the pending call
	pending bool
	id      uint64
	ready   bool
	err     error
}

func (c *ticketClient) TryNext() (uint64, time.Duration, error) {
	switch {
	case c.ready:
		c.ready = false
		return c.id, 0, nil
	case c.err != nil:
		err := c.err
		c.err = nil
		return 0, 0, err
	case !c.pending:
		c.pending, c.tried = true, 0
		c.net.Send(ticketServer(c.next), allocRequest{N: 1})
	}
	return 0, sim.Forever, nil
}

func (c *ticketClient) reply(r any) {
	rep := r.(allocReply)
	c.next = (c.next + 1) % c.t.Servers
	if rep.Err != nil {
		c.tried++
		if c.tried < c.t.Servers {
			c.net.Send(ticketServer(c.next), allocRequest{N: 1}) // fail over
			return
		}
		c.pending, c.err = false, rep.Err
		return
	}
	c.pending, c.ready, c.id = false, true, rep.R.Lo
}
