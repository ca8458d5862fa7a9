package sim

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
)

// Pattern is how arrivals are spaced.
type Pattern uint8

const (
	// Poisson spaces arrivals by independent exponential gaps: the
	// arrivals of many independent clients.
	Poisson Pattern = iota
	// Constant spaces arrivals evenly.
	Constant
)

// String returns the pattern's name as used in scenario files.
func (p Pattern) String() string {
	if p == Constant {
		return "constant"
	}
	return "poisson"
}

// ParsePattern reads "poisson" or "constant".
func ParsePattern(s string) (Pattern, error) {
	switch s {
	case "poisson":
		return Poisson, nil
	case "constant":
		return Constant, nil
	}
	return 0, fmt.Errorf("unknown load pattern %q (want poisson or constant)", s)
}

// Load is an arrival process of ID requests at one worker.
type Load struct {
	Rate    Rate
	Pattern Pattern
}

// source generates the arrival times of one Load from true time `from`
// until `end`, in integer nanoseconds with an exact fractional carry.
type source struct {
	next int64 // true time of the next arrival; math.MaxInt64 when done
	end  int64

	// The mean gap is meanQ / 2^shift ns. A gap is E*mean with E an
	// Exp(1) variate in Q32 (exactly 1.0 for Constant), so the product
	// e*meanQ is the gap in units of 2^-(32+shift) ns.
	meanQ uint64
	shift uint // 32 + the fractional bits of meanQ, at most 64
	frac  uint64
	rng   *rand.PCG

	poisson bool
}

// newSource starts a source at true time from. The first arrival comes
// after one gap (Poisson) or a random phase of the mean gap (Constant),
// so workers with the same constant rate are not in lockstep.
func newSource(l Load, from, end int64, rng *rand.PCG) (*source, error) {
	if l.Rate.PerSec == nil || l.Rate.PerSec.Sign() <= 0 {
		return nil, fmt.Errorf("rate must be positive")
	}
	mean := new(big.Rat).Quo(big.NewRat(1e9, 1), l.Rate.PerSec) // ns per arrival
	whole := new(big.Int).Quo(mean.Num(), mean.Denom())
	if !whole.IsUint64() || whole.BitLen() > 62 {
		return nil, fmt.Errorf("rate %v too slow", l.Rate)
	}
	fracBits := uint(min(32, 62-whole.BitLen()))
	q := new(big.Int).Lsh(mean.Num(), fracBits)
	q.Quo(q, mean.Denom())
	s := &source{
		next:    from,
		end:     end,
		meanQ:   q.Uint64(),
		shift:   32 + fracBits,
		rng:     rng,
		poisson: l.Pattern == Poisson,
	}
	if s.meanQ == 0 {
		return nil, fmt.Errorf("rate %v too fast", l.Rate)
	}
	if s.poisson {
		s.step()
	} else {
		s.advance(rng.Uint64() >> 32) // a uniform phase in [0, 1) of the gap
	}
	return s, nil
}

// step moves next on to the following arrival.
func (s *source) step() {
	if !s.poisson {
		s.advance(1 << 32)
		return
	}
	s.advance(expQ32(s.rng.Uint64()))
}

// advance moves next on by e (Q32) mean gaps.
func (s *source) advance(e uint64) {
	hi, lo := bits.Mul64(e, s.meanQ)
	gap := hi<<(64-s.shift) | lo>>s.shift
	var carry uint64
	s.frac, carry = bits.Add64(s.frac, lo<<(64-s.shift), 0)
	s.next += int64(gap + carry)
	if s.next >= s.end {
		s.next = math.MaxInt64
	}
}

// arrivals is a worker's set of sources: its base load, kept inline for
// the common case, plus any floods.
type arrivals struct {
	base  source
	extra []*source
}

// peek returns the time of the next arrival and its source: -1 for the
// base load, else an index into extra (ties go to the base, then the
// earlier flood).
func (a *arrivals) peek() (int64, int) {
	best, at := a.base.next, -1
	for i, s := range a.extra {
		if s.next < best {
			best, at = s.next, i
		}
	}
	return best, at
}

// consume moves source i (as returned by peek) past its current arrival,
// dropping a finished flood.
func (a *arrivals) consume(i int) {
	if i < 0 {
		a.base.step()
		return
	}
	s := a.extra[i]
	s.step()
	if s.next == math.MaxInt64 {
		a.extra = append(a.extra[:i], a.extra[i+1:]...)
	}
}

// Arrivals is the base load of one worker of a World, drawn as the World
// draws it: the same true times of the same requests, from the same
// stream of the same seed. It lets a benchmark step a generator at the
// very moments a World's worker would be asked, without the World.
type Arrivals struct{ s *source }

// NewArrivals returns the base load l of worker index in a World with
// the given seed and duration.
func NewArrivals(l Load, seed uint64, index int, duration int64) (*Arrivals, error) {
	s, err := newSource(l, 0, duration, Stream(seed, "arrivals", uint64(index)))
	if err != nil {
		return nil, err
	}
	return &Arrivals{s}, nil
}

// Next returns the true time of the next request, and false when there
// are no more.
func (a *Arrivals) Next() (int64, bool) {
	t := a.s.next
	if t == math.MaxInt64 {
		return 0, false
	}
	a.s.step()
	return t, true
}
