// Package rangebatch is the rangebatch scheme kind: each worker takes
// ranges of batch IDs from a database sequence over the network and
// issues them in order, optionally fetching the next range early.
package rangebatch

import (
	"fmt"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/rangebatch"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/kinds/internal/central"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// Kind is the rangebatch kind.
type Kind struct{}

// Name returns "rangebatch".
func (Kind) Name() string { return "rangebatch" }

// Summary says what the kind is.
func (Kind) Summary() string {
	return "ranges of batch IDs from a database sequence over the network; prefetch_at: the fraction of a range used when the next is fetched"
}

// Keys lists the keys a rangebatch scheme takes.
func (Kind) Keys() []string { return []string{"batch", "prefetch_at", "variant"} }

// Parse validates a rangebatch scheme.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c struct {
		Batch      spec.Int      `yaml:"batch"`
		PrefetchAt spec.Fraction `yaml:"prefetch_at"`
		Variant    spec.Text     `yaml:"variant"`
	}
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	cfg := rangebatch.Config{Batch: 1}
	if !c.Batch.Set {
		return nil, spec.Errorf(m.P, "rangebatch needs batch, the number of IDs per range, e.g. batch: 1000")
	}
	if c.Batch.V < 1 || c.Batch.V > 1<<40 {
		return nil, spec.Errorf(c.Batch.P, "batch %d out of range 1..%d", c.Batch.V, int64(1)<<40)
	}
	cfg.Batch = uint64(c.Batch.V)
	if c.PrefetchAt.Set {
		if c.PrefetchAt.V == 0 {
			return nil, spec.Errorf(c.PrefetchAt.P, "prefetch_at 0 would fetch at once; leave it out to fetch only when a range is used up")
		}
		cfg.PrefetchAt = c.PrefetchAt.V
	}
	s, err := New(cfg, c.Variant, "rangebatch", env)
	if err != nil {
		return nil, err
	}
	if cfg.PrefetchAt > 0 {
		s.Config = fmt.Sprintf("batch %d, prefetch at %g", cfg.Batch, cfg.PrefetchAt)
	} else {
		s.Config = fmt.Sprintf("batch %d, no prefetch", cfg.Batch)
	}
	s.Config += s.suffix
	return s, nil
}

// Scheme is a validated range-allocation scheme; autoinc is one with a
// batch of one and no prefetch.
type Scheme struct {
	central.Base
	rb      schemes.RangeBatch
	variant string
	suffix  string
}

// New builds a range-allocation scheme of kind name with cfg; variant,
// if set, must be read_then_write. Its Config is left for the kind to
// start; the latency and variant go in suffix.
func New(cfg rangebatch.Config, variant spec.Text, name string, env kind.Env) (*Scheme, error) {
	s := &Scheme{rb: schemes.RangeBatch{Config: cfg, Latency: env.Network, First: 1}}
	if variant.Set {
		if variant.V != "read_then_write" {
			return nil, spec.Errorf(variant.P, "unknown %s variant %q (one of: read_then_write)", name, variant.V)
		}
		// The write lands a network round trip after the read: a client
		// that reads, then writes back over the same link.
		s.rb.ReadThenWrite, s.variant = 2*env.Network.Base, variant.V
	}
	s.suffix = central.Latency(env.Network)
	if s.variant != "" {
		s.suffix += ", faulty variant " + s.variant
	}
	return s, nil
}

// Suffix is what follows the kind's own words in Config: the latency and
// the variant.
func (s *Scheme) Suffix() string { return s.suffix }

// NewGenerator builds a worker's generator.
func (s *Scheme) NewGenerator(env sim.Env) (sim.Instance, error) { return s.rb.NewGenerator(env) }

// Ordered returns true: a worker issues its ranges in order.
func (*Scheme) Ordered() bool { return true }

// Decode says what the value is.
func (*Scheme) Decode(_, _ uint64) string { return "a value of the shared sequence" }

// Variant names the faulty variant, or is empty.
func (s *Scheme) Variant() string { return s.variant }

// Why says what the faulty variant's bug is.
func (s *Scheme) Why() string { return faulty.Why[s.variant] }

// Setup registers the database.
func (s *Scheme) Setup(w *sim.World) error { return s.rb.Setup(w) }
