package uuid

import (
	"errors"
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/internal/names"
)

// V4Config configures a version 4 generator.
type V4Config struct {
	// RandomBits, when between 1 and 121, keeps only that many of the 122
	// random bits (the lowest) and zeroes the rest. It exists to make
	// collisions observable in simulation; leave it 0 in production.
	RandomBits int
}

// V4 generates random (version 4) UUIDs. It is not safe for concurrent
// use.
type V4 struct {
	src        entropy.Source
	hiMask     uint64
	loMask     uint64
	randomBits int
}

// NewV4 returns a version 4 generator reading src.
func NewV4(cfg V4Config, src entropy.Source) (*V4, error) {
	if src == nil {
		return nil, errors.New("uuid: nil entropy source")
	}
	if cfg.RandomBits < 0 || cfg.RandomBits > 122 {
		return nil, fmt.Errorf("uuid: RandomBits %d out of range 0..122", cfg.RandomBits)
	}
	g := &V4{src: src, randomBits: 122}
	// The 122 random bits, lowest first: the 62 of the low half below the
	// variant, then the 12 of the high half below the version, then the
	// 48 above it.
	g.loMask = randomMask(cfg.RandomBits, 62)
	g.hiMask = 0xFFFFFFFFFFFF0FFF
	if b := cfg.RandomBits; b > 0 && b < 122 {
		g.randomBits = b
		switch hb := b - 62; {
		case hb <= 0:
			g.hiMask = 0
		case hb <= 12:
			g.hiMask = 1<<hb - 1
		default:
			g.hiMask = 0xFFF | (1<<(hb-12)-1)<<16
		}
	}
	return g, nil
}

// RandomBits returns how many random bits each UUID carries.
func (g *V4) RandomBits() int { return g.randomBits }

// Next returns a new UUID.
func (g *V4) Next() UUID {
	hi, lo := g.NextHiLo()
	return FromHiLo(hi, lo)
}

// NextHiLo returns a new UUID as its high and low 64 bits.
func (g *V4) NextHiLo() (hi, lo uint64) {
	hi = g.src.Uint64()&g.hiMask | 4<<12
	lo = g.src.Uint64()&g.loMask | 2<<62
	return hi, lo
}

// V7Policy says what a version 7 generator does when its clock reads
// earlier than its last UUID's timestamp.
type V7Policy uint8

const (
	// Clamp keeps issuing after the last timestamp, advancing it by one
	// sub-millisecond step per UUID, as google/uuid does: UUIDs stay
	// unique and increasing, and their time runs ahead of the clock
	// until it catches up.
	Clamp V7Policy = iota
	// Error refuses when the clock reads an earlier millisecond than the
	// last UUID's; within the same millisecond it still counts on.
	Error
)

var v7PolicyNames = [...]string{Clamp: "clamp", Error: "error"}

// String returns the policy's name as used in scenario files.
func (p V7Policy) String() string { return names.Of(v7PolicyNames[:], int(p), "V7Policy") }

// ParseV7Policy reads "clamp" or "error".
func ParseV7Policy(s string) (V7Policy, error) {
	i, err := names.Index(v7PolicyNames[:], s, "UUIDv7 clock-backward policy")
	return V7Policy(i), err
}

// V7Config configures a version 7 generator.
type V7Config struct {
	OnBackward V7Policy
	// RandomBits, when between 1 and 61, keeps only that many of the 62
	// random bits of rand_b (the lowest). For simulation only.
	RandomBits int
}

// V7 generates version 7 UUIDs that strictly increase, following RFC
// 9562 section 6.2: the 48-bit Unix millisecond timestamp is followed by
// 12 bits of sub-millisecond precision in rand_a (method 3), which act as
// a counter (method 1) when several UUIDs fall in the same 1/4096 ms step:
// the 60-bit (millisecond, fraction) value is always one more than the
// last when the clock has not moved past it. rand_b is random. It is not
// safe for concurrent use.
type V7 struct {
	clk    clock.Clock
	src    entropy.Source
	policy V7Policy
	mask   uint64
	last   uint64 // last 60-bit timestamp: ms<<12 | fraction
}

// NewV7 returns a version 7 generator reading clk and src.
func NewV7(cfg V7Config, clk clock.Clock, src entropy.Source) (*V7, error) {
	if clk == nil || src == nil {
		return nil, errors.New("uuid: nil clock or entropy source")
	}
	if cfg.OnBackward > Error {
		return nil, fmt.Errorf("uuid: unknown policy %v", cfg.OnBackward)
	}
	if cfg.RandomBits < 0 || cfg.RandomBits > 62 {
		return nil, fmt.Errorf("uuid: RandomBits %d out of range 0..62", cfg.RandomBits)
	}
	return &V7{clk: clk, src: src, policy: cfg.OnBackward, mask: randomMask(cfg.RandomBits, 62)}, nil
}

// Next returns a new UUID. A version 7 generator never waits.
func (g *V7) Next() (UUID, error) {
	hi, lo, err := g.NextHiLo()
	return FromHiLo(hi, lo), err
}

// NextHiLo returns a new UUID as its high and low 64 bits.
func (g *V7) NextHiLo() (hi, lo uint64, err error) {
	now := g.clk.Now()
	if now < 0 {
		return 0, 0, fmt.Errorf("%w: %s", ErrClockRange, time.Unix(0, now).UTC())
	}
	ms := uint64(now) / 1e6
	t := ms<<12 | uint64(now)%1e6*4096/1e6
	if t <= g.last {
		if g.policy == Error && ms < g.last>>12 {
			return 0, 0, fmt.Errorf("%w by %v", ErrClockBackward, time.Duration((g.last>>12-ms)*1e6))
		}
		t = g.last + 1
	}
	if t>>60 != 0 {
		return 0, 0, fmt.Errorf("%w: %s", ErrClockRange, time.Unix(0, now).UTC())
	}
	g.last = t
	hi = t>>12<<16 | 7<<12 | t&0xFFF
	lo = g.src.Uint64()&g.mask | 2<<62
	return hi, lo, nil
}
