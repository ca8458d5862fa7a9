// Package uuidv7 is the uuidv7 scheme kind: RFC 9562 version 7 UUIDs
// with a clock policy, optional truncated randomness, and the documented
// buggy variants of generators/faulty.
package uuidv7

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/kinds/internal/random"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// Kind is the uuidv7 kind.
type Kind struct{}

// Name returns "uuidv7".
func (Kind) Name() string { return "uuidv7" }

// Summary says what the kind is.
func (Kind) Summary() string {
	return "RFC 9562 version 7: Unix ms, sub-ms fraction as counter, 62 random bits; on_clock_backward: clamp (default) or error"
}

// Keys lists the keys a uuidv7 scheme takes.
func (Kind) Keys() []string { return []string{"on_clock_backward", "random_bits", "variant"} }

const width = 62

// Parse validates a uuidv7 scheme.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c struct {
		OnClockBackward spec.Text `yaml:"on_clock_backward"`
		RandomBits      spec.Int  `yaml:"random_bits"`
		Variant         spec.Text `yaml:"variant"`
	}
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	bits, truncate, err := random.Bits(c.RandomBits, width, "uuidv7")
	if err != nil {
		return nil, err
	}
	s := &Scheme{bits: bits}
	if c.Variant.Set {
		bug, ok := faulty.V7Bugs[c.Variant.V]
		if !ok {
			keys := make([]string, 0, len(faulty.V7Bugs))
			for k := range faulty.V7Bugs {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			return nil, spec.Errorf(c.Variant.P, "unknown uuidv7 variant %q (one of: %s)", c.Variant.V, strings.Join(keys, ", "))
		}
		if c.OnClockBackward.Set || c.RandomBits.Set {
			return nil, spec.Errorf(c.Variant.P, "variant %s has its own behaviour; it takes no on_clock_backward or random_bits", c.Variant.V)
		}
		s.sim, s.variant, s.config = schemes.FaultyV7{Bug: bug}, c.Variant.V, "faulty variant "+c.Variant.V
		return s, nil
	}
	policy := "clamp"
	if c.OnClockBackward.Set {
		policy = c.OnClockBackward.V
	}
	p, err := uuid.ParseV7Policy(policy)
	if err != nil {
		return nil, spec.Errorf(c.OnClockBackward.P, "%v", err)
	}
	s.sim = schemes.UUIDv7{OnBackward: p, RandomBits: truncate}
	s.config = fmt.Sprintf("on_clock_backward %s, %d random bits", policy, bits)
	return s, nil
}

// Scheme is a validated uuidv7 scheme.
type Scheme struct {
	sim     sim.Scheme
	bits    int
	variant string
	config  string
}

// IDBits returns 128.
func (*Scheme) IDBits() int { return 128 }

// NewGenerator builds a worker's generator.
func (s *Scheme) NewGenerator(env sim.Env) (sim.Instance, error) { return s.sim.NewGenerator(env) }

// Describe says how the scheme is configured.
func (s *Scheme) Describe() string { return s.config }

// Ordered returns true: each generator's UUIDs increase.
func (*Scheme) Ordered() bool { return true }

// Text renders the UUID.
func (*Scheme) Text(hi, lo uint64) string { return uuid.FromHiLo(hi, lo).String() }

// Decode gives the UUID's time and sub-millisecond fraction.
func (*Scheme) Decode(hi, lo uint64) string {
	u := uuid.FromHiLo(hi, lo)
	t, _ := u.Time()
	return fmt.Sprintf("version 7, time %s, sub-millisecond fraction %d/4096", t.Format(time.RFC3339Nano), hi&0xFFF)
}

// RandomBits is how many random bits each ID carries.
func (s *Scheme) RandomBits() int { return s.bits }

// Variant names the faulty variant, or is empty.
func (s *Scheme) Variant() string { return s.variant }

// Why says what the faulty variant's bug is.
func (s *Scheme) Why() string { return faulty.Why[s.variant] }

// ExplainGroup says that two workers drew the same random bits.
func (s *Scheme) ExplainGroup(g *reports.DuplicateGroup, _ *kind.Outcome) string {
	return random.ExplainGroup(g, s.bits)
}
