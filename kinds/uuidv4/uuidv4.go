// Package uuidv4 is the uuidv4 scheme kind: RFC 9562 version 4 UUIDs,
// optionally with fewer random bits to make collisions observable and
// compare them with the birthday bound.
package uuidv4

import (
	"fmt"
	"math"

	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/kinds/internal/random"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim/record"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// Kind is the uuidv4 kind.
type Kind struct{}

// Name returns "uuidv4".
func (Kind) Name() string { return "uuidv4" }

// Summary says what the kind is.
func (Kind) Summary() string { return "RFC 9562 version 4: 122 random bits" }

// Keys lists the keys a uuidv4 scheme takes.
func (Kind) Keys() []string { return []string{"random_bits"} }

const width = 122

// Parse validates a uuidv4 scheme.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c struct {
		RandomBits spec.Int `yaml:"random_bits"`
	}
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	bits, truncate, err := random.Bits(c.RandomBits, width, "uuidv4")
	if err != nil {
		return nil, err
	}
	return &Scheme{UUIDv4: schemes.UUIDv4{RandomBits: truncate}, bits: bits}, nil
}

// Scheme is a validated uuidv4 scheme.
type Scheme struct {
	schemes.UUIDv4
	bits int
}

// Describe says how many random bits the IDs carry.
func (s *Scheme) Describe() string { return fmt.Sprintf("%d random bits", s.bits) }

// Ordered returns false: version 4 UUIDs are random.
func (*Scheme) Ordered() bool { return false }

// Text renders the UUID.
func (*Scheme) Text(hi, lo uint64) string { return uuid.FromHiLo(hi, lo).String() }

// Decode says what the UUID holds.
func (*Scheme) Decode(hi, lo uint64) string { return "version 4, random" }

// RandomBits is how many random bits each ID carries.
func (s *Scheme) RandomBits() int { return s.bits }

// ExplainGroup says that two workers drew the same random bits.
func (s *Scheme) ExplainGroup(g *reports.DuplicateGroup, _ *kind.Outcome) string {
	return random.ExplainGroup(g, s.bits)
}

// Measure adds the birthday bound — n IDs of b random bits hold about
// n²/2^(b+1) colliding pairs — and, for truncated IDs, how the
// duplicates measured grow beside it as IDs accumulate.
func (s *Scheme) Measure(o *kind.Outcome, run *reports.Run) {
	// Exact in floating point: the square is an integer and the divisor
	// a power of two.
	n := float64(run.Generated)
	run.BirthdayExpected = math.Ldexp(n*n, -(s.bits + 1))
	if s.bits < width {
		run.Birthday = birthdayCurve(o.Trace.Logs(), run.DuplicateList, s.bits, o.Duration)
	}
}

// birthdayCurve measures, at 20 moments of the run, the duplicates so far
// beside the birthday bound for the IDs issued so far.
func birthdayCurve(logs []*record.Log, dups []reports.Duplicate, bits int, duration int64) []reports.BirthdayPoint {
	const points = 20
	var issued [points + 1]int64
	for _, l := range logs {
		l.Each(func(_ int64, _ uint64, t int64) bool {
			issued[min(points, t*points/duration+1)]++
			return true
		})
	}
	var seen [points + 1]int64
	for _, d := range dups {
		seen[min(points, d.Copy.AtNs*points/duration+1)]++
	}
	var out []reports.BirthdayPoint
	var n, m int64
	for k := 1; k <= points; k++ {
		n += issued[k]
		m += seen[k]
		f := float64(n)
		out = append(out, reports.BirthdayPoint{IDs: n, Measured: m, Expected: math.Ldexp(f*f, -(bits + 1))})
	}
	return out
}
