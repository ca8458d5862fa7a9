// Package ulid is the ulid scheme kind: monotonic ULIDs with a clock
// policy and optional truncated randomness.
package ulid

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/kinds/internal/random"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// Kind is the ulid kind.
type Kind struct{}

// Name returns "ulid".
func (Kind) Name() string { return "ulid" }

// Summary says what the kind is.
func (Kind) Summary() string {
	return "ULID: Unix ms and 80 random bits, incremented within a ms; on_clock_backward: clamp (default) or error"
}

// Keys lists the keys a ulid scheme takes.
func (Kind) Keys() []string { return []string{"on_clock_backward", "random_bits"} }

const width = 80

// Parse validates a ulid scheme.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c struct {
		OnClockBackward spec.Text `yaml:"on_clock_backward"`
		RandomBits      spec.Int  `yaml:"random_bits"`
	}
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	bits, truncate, err := random.Bits(c.RandomBits, width, "ulid")
	if err != nil {
		return nil, err
	}
	policy := "clamp"
	if c.OnClockBackward.Set {
		policy = c.OnClockBackward.V
	}
	p, err := ulid.ParsePolicy(policy)
	if err != nil {
		return nil, spec.Errorf(c.OnClockBackward.P, "%v", err)
	}
	return &Scheme{ULID: schemes.ULID{OnBackward: p, RandomBits: truncate}, bits: bits,
		config: fmt.Sprintf("on_clock_backward %s, %d random bits", policy, bits)}, nil
}

// Scheme is a validated ulid scheme.
type Scheme struct {
	schemes.ULID
	bits   int
	config string
}

// Describe says how the scheme is configured.
func (s *Scheme) Describe() string { return s.config }

// Ordered returns true: each generator's ULIDs increase.
func (*Scheme) Ordered() bool { return true }

// Text renders the ULID.
func (*Scheme) Text(hi, lo uint64) string { return ulid.FromHiLo(hi, lo).String() }

// Decode gives the ULID's time.
func (*Scheme) Decode(hi, lo uint64) string {
	return fmt.Sprintf("time %s", ulid.FromHiLo(hi, lo).Time().Format(time.RFC3339Nano))
}

// RandomBits is how many random bits each ID carries.
func (s *Scheme) RandomBits() int { return s.bits }

// ExplainGroup says that two workers drew the same random bits.
func (s *Scheme) ExplainGroup(g *reports.DuplicateGroup, _ *kind.Outcome) string {
	return random.ExplainGroup(g, s.bits)
}
