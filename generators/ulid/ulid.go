// Package ulid generates and parses ULIDs as the ULID specification
// (github.com/ulid/spec) defines them: a 48-bit Unix millisecond timestamp
// and 80 random bits, written as 26 characters of Crockford's base32.
//
// The generator is monotonic: within one millisecond it increments the
// random part by one instead of drawing a new one, and it fails, as the
// specification requires, when that would overflow 80 bits. It is handed
// a clock and an entropy source, so the simulator can drive it.
package ulid

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/internal/names"
)

// ULID is a 128-bit ULID in network byte order.
type ULID [16]byte

// alphabet is Crockford's base32.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// decoding maps a character to its value, or 0xFF.
var decoding = func() (d [256]byte) {
	for i := range d {
		d[i] = 0xFF
	}
	for i := 0; i < len(alphabet); i++ {
		d[alphabet[i]] = byte(i)
		d[strings.ToLower(alphabet)[i]] = byte(i)
	}
	return d
}()

// FromHiLo builds a ULID from its high and low 64 bits.
func FromHiLo(hi, lo uint64) ULID {
	var u ULID
	binary.BigEndian.PutUint64(u[:8], hi)
	binary.BigEndian.PutUint64(u[8:], lo)
	return u
}

// HiLo returns the high and low 64 bits of u.
func (u ULID) HiLo() (hi, lo uint64) {
	return binary.BigEndian.Uint64(u[:8]), binary.BigEndian.Uint64(u[8:])
}

// Time returns the embedded timestamp in UTC.
func (u ULID) Time() time.Time { return time.UnixMilli(int64(u.Timestamp())).UTC() }

// Timestamp returns the embedded Unix time in milliseconds.
func (u ULID) Timestamp() uint64 {
	hi, _ := u.HiLo()
	return hi >> 16
}

// String returns the 26-character canonical form.
func (u ULID) String() string {
	hi, lo := u.HiLo()
	var b [26]byte
	// 130 bits of characters for 128 bits of value: the first character
	// holds the top 3 bits.
	for i := 25; i >= 0; i-- {
		b[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(b[:])
}

// Parse reads a 26-character ULID, in either case. Values above
// 7ZZZZZZZZZZZZZZZZZZZZZZZZZ do not fit 128 bits and are rejected, as the
// specification requires.
func Parse(s string) (ULID, error) {
	if len(s) != 26 {
		return ULID{}, fmt.Errorf("ulid: %q: want 26 characters, got %d", s, len(s))
	}
	if decoding[s[0]] > 7 {
		if decoding[s[0]] == 0xFF {
			return ULID{}, fmt.Errorf("ulid: %q: %q is not a Crockford base32 character", s, s[0])
		}
		return ULID{}, fmt.Errorf("ulid: %q is larger than 7ZZZZZZZZZZZZZZZZZZZZZZZZZ, the largest ULID", s)
	}
	var hi, lo uint64
	for i := 0; i < 26; i++ {
		v := decoding[s[i]]
		if v == 0xFF {
			return ULID{}, fmt.Errorf("ulid: %q: %q is not a Crockford base32 character", s, s[i])
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	return FromHiLo(hi, lo), nil
}

// Errors a generator returns; returned errors wrap one of these.
var (
	// ErrOverflow: the random part would overflow 80 bits within one
	// millisecond.
	ErrOverflow = errors.New("ulid: random component overflow within one millisecond")
	// ErrClockBackward: with the Error policy, the clock read an earlier
	// millisecond than the last ULID's.
	ErrClockBackward = errors.New("ulid: clock moved backwards")
	// ErrClockRange: the clock reads before 1970 or after 10889.
	ErrClockRange = errors.New("ulid: clock outside the 48-bit millisecond range")
)

// Policy says what a generator does when its clock reads earlier than
// its last ULID's millisecond.
type Policy uint8

const (
	// Clamp keeps the last millisecond and increments the random part, as
	// the specification's reference implementation (ulid/javascript,
	// monotonicFactory) does: ULIDs stay increasing.
	Clamp Policy = iota
	// Error refuses until the clock is back.
	Error
)

var policyNames = [...]string{Clamp: "clamp", Error: "error"}

// String returns the policy's name as used in scenario files.
func (p Policy) String() string { return names.Of(policyNames[:], int(p), "Policy") }

// ParsePolicy reads "clamp" or "error".
func ParsePolicy(s string) (Policy, error) {
	i, err := names.Index(policyNames[:], s, "ULID clock-backward policy")
	return Policy(i), err
}

// Config configures a Generator.
type Config struct {
	OnBackward Policy
	// RandomBits, when between 1 and 79, draws only that many of the 80
	// random bits (the lowest) for each new millisecond. For simulation
	// only.
	RandomBits int
}

// Generator issues monotonic ULIDs. It is not safe for concurrent use.
type Generator struct {
	clk    clock.Clock
	src    entropy.Source
	policy Policy
	hiMask uint64 // for the top 16 random bits
	loMask uint64

	started bool
	ms      uint64 // last millisecond
	msEnd   int64  // the wall-clock nanosecond at which ms ends
	rHi     uint64 // top 16 bits of the random part
	rLo     uint64 // low 64 bits

	system bool // clk is clock.System: call it without an interface dispatch
}

// New returns a generator reading clk and src.
func New(cfg Config, clk clock.Clock, src entropy.Source) (*Generator, error) {
	if clk == nil || src == nil {
		return nil, errors.New("ulid: nil clock or entropy source")
	}
	if cfg.OnBackward > Error {
		return nil, fmt.Errorf("ulid: unknown policy %v", cfg.OnBackward)
	}
	if cfg.RandomBits < 0 || cfg.RandomBits > 80 {
		return nil, fmt.Errorf("ulid: RandomBits %d out of range 0..80", cfg.RandomBits)
	}
	g := &Generator{clk: clk, src: src, policy: cfg.OnBackward, hiMask: 0xFFFF, loMask: ^uint64(0)}
	_, g.system = clk.(clock.System)
	if b := cfg.RandomBits; b > 0 && b < 80 {
		if b <= 64 {
			g.hiMask, g.loMask = 0, ^uint64(0)>>(64-b)
		} else {
			g.hiMask = 1<<(b-64) - 1
		}
	}
	return g, nil
}

// Next returns a new ULID. A ULID generator never waits.
func (g *Generator) Next() (ULID, error) {
	hi, lo, err := g.NextHiLo()
	return FromHiLo(hi, lo), err
}

// NextHiLo returns a new ULID as its high and low 64 bits.
func (g *Generator) NextHiLo() (hi, lo uint64, err error) {
	var now int64
	if g.system {
		now = clock.System{}.Now()
	} else {
		now = g.clk.Now()
	}
	if g.started && now < g.msEnd && now >= g.msEnd-1e6 {
		// The common case under load: the same millisecond again.
		return g.increment()
	}
	ms := uint64(now) / 1e6
	if now < 0 || ms >= 1<<48 {
		return 0, 0, fmt.Errorf("%w: %s", ErrClockRange, time.Unix(0, now).UTC())
	}
	if g.started && ms < g.ms {
		if g.policy == Error {
			return 0, 0, fmt.Errorf("%w by %v", ErrClockBackward, time.Duration((g.ms-ms)*1e6))
		}
		return g.increment() // Clamp: stay in the last millisecond
	}
	g.started, g.ms, g.msEnd = true, ms, int64(ms+1)*1e6
	g.rHi = g.src.Uint64() & g.hiMask
	g.rLo = g.src.Uint64() & g.loMask
	return g.ms<<16 | g.rHi, g.rLo, nil
}

// increment adds one to the random part, failing rather than overflow
// its 80 bits.
func (g *Generator) increment() (hi, lo uint64, err error) {
	lo, hi = g.rLo+1, g.rHi
	if lo == 0 {
		hi++
		if hi > 0xFFFF {
			return 0, 0, ErrOverflow
		}
	}
	g.rHi, g.rLo = hi, lo
	return g.ms<<16 | hi, lo, nil
}
