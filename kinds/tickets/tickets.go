// Package tickets is the tickets scheme kind: Flickr-style ticket
// servers, server k of n issuing k, k+n, k+2n, …, with clients taking
// turns and failing over when one is down.
package tickets

import (
	"fmt"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/kinds/internal/central"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// Kind is the tickets kind.
type Kind struct{}

// Name returns "tickets".
func (Kind) Name() string { return "tickets" }

// Summary says what the kind is.
func (Kind) Summary() string {
	return "Flickr-style ticket servers: servers databases, server k issuing k, k+n, k+2n, …; clients take turns and fail over when one is down"
}

// Keys lists the keys a tickets scheme takes.
func (Kind) Keys() []string { return []string{"servers", "variant"} }

// Parse validates a tickets scheme.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c struct {
		Servers spec.Int  `yaml:"servers"`
		Variant spec.Text `yaml:"variant"`
	}
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	t := schemes.Tickets{Servers: 2, Latency: env.Network}
	if c.Servers.Set {
		if c.Servers.V < 2 || c.Servers.V > 16 {
			return nil, spec.Errorf(c.Servers.P, "servers %d out of range 2..16", c.Servers.V)
		}
		t.Servers = int(c.Servers.V)
	}
	s := &Scheme{}
	if c.Variant.Set {
		if c.Variant.V != "same_offset" {
			return nil, spec.Errorf(c.Variant.P, "unknown tickets variant %q (one of: same_offset)", c.Variant.V)
		}
		t.SameOffset, s.variant = true, c.Variant.V
	}
	s.t = t
	s.Config = fmt.Sprintf("%d servers, increment %d, offsets 1..%d", t.Servers, t.Servers, t.Servers)
	if t.SameOffset {
		s.Config = fmt.Sprintf("%d servers, increment %d, every offset 1 (faulty variant same_offset)", t.Servers, t.Servers)
	}
	return s, nil
}

// Scheme is a validated tickets scheme.
type Scheme struct {
	central.Base
	t       schemes.Tickets
	variant string
}

// NewGenerator builds a worker's generator.
func (s *Scheme) NewGenerator(env sim.Env) (sim.Instance, error) { return s.t.NewGenerator(env) }

// Ordered returns false: a client alternates between servers.
func (*Scheme) Ordered() bool { return false }

// Decode names the server that issued the ticket.
func (s *Scheme) Decode(_, lo uint64) string {
	return fmt.Sprintf("a ticket of server %d of %d", (lo-1)%uint64(s.t.Servers)+1, s.t.Servers)
}

// Variant names the faulty variant, or is empty.
func (s *Scheme) Variant() string { return s.variant }

// Why says what the faulty variant's bug is.
func (s *Scheme) Why() string { return faulty.Why[s.variant] }

// Setup registers the ticket servers.
func (s *Scheme) Setup(w *sim.World) error { return s.t.Setup(w) }
