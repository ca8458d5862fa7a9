// Package faulty holds deliberately broken ID generators, each
// reproducing a documented bug of a real one, for idsim's regression
// scenarios and for showing that its checks catch them. Never ship
// these: the correct generators are in the sibling packages.
//
// Each bug is re-implemented from its description (the project's issue
// or write-up named on its constant); no code is copied.
package faulty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/snowflake"
)

// Bug names a documented bug of a Snowflake-style generator.
type Bug int

const (
	// SequenceResetBeforeClockCheck is Twitter's original Snowflake
	// (twitter/snowflake, issue 6): the sequence is reset to zero
	// whenever the tick differs from the last one, and only then is the
	// tick compared with the last one to refuse a clock that went back.
	// The refusal leaves the reset in place, so when the clock comes back
	// to the last tick its sequence numbers are issued again.
	SequenceResetBeforeClockCheck Bug = iota + 1
	// UnmaskedWorker is nsq's GUID before the fix (nsqio/nsq, issue 592):
	// worker IDs up to 4095 were accepted but shifted into a 10-bit
	// field, so worker IDs of 1024 and above spill into the timestamp and
	// collide with lower workers' IDs one tick later.
	UnmaskedWorker
	// NarrowWorkerShift is the Go port of yitter/IdGenerator (CalcId):
	// the worker ID is a uint16 and is shifted by the sequence length
	// before being widened, so with 12 sequence bits only its low 4 bits
	// survive and workers 16 apart collide.
	NarrowWorkerShift
	// NoWaitOnWrap is Instagram's ID function ("Sharding & IDs at
	// Instagram", 2012): the 10-bit sequence is a shared counter modulo
	// 1024, taken whatever the millisecond, so a shard asked for more
	// than 1024 IDs in one millisecond repeats them.
	NoWaitOnWrap
)

// Bugs lists the Snowflake bugs by their scenario names.
var Bugs = map[string]Bug{
	"twitter_2010_sequence_reset": SequenceResetBeforeClockCheck,
	"nsq_unmasked_worker_id":      UnmaskedWorker,
	"yitter_uint16_worker_shift":  NarrowWorkerShift,
	"instagram_no_wait_on_wrap":   NoWaitOnWrap,
}

// Why says in one sentence, per variant name, what the bug does; reports
// add it to every finding of a faulty scheme.
var Why = map[string]string{
	"twitter_2010_sequence_reset":   "Variant twitter_2010_sequence_reset (twitter/snowflake issue 6) resets the sequence before refusing a clock that went back, so on returning to the last millisecond it issues that millisecond's sequence numbers again.",
	"nsq_unmasked_worker_id":        "Variant nsq_unmasked_worker_id (nsqio/nsq issue 592) shifts worker IDs of 1024 and above into the timestamp bits, so worker 1024+w collides with worker w one millisecond later.",
	"yitter_uint16_worker_shift":    "Variant yitter_uint16_worker_shift (yitter/IdGenerator's Go port) shifts the worker ID while it is still 16 bits wide, losing its high bits, so workers 16 apart issue the same IDs.",
	"instagram_no_wait_on_wrap":     "Variant instagram_no_wait_on_wrap (Instagram's next_id, 2012) takes a counter modulo 1024 without waiting for the next millisecond, so the 1025th ID of a millisecond repeats the first.",
	"gofrs_counter_never_reset":     "Variant gofrs_counter_never_reset (gofrs/uuid issue 254) never resets its 12-bit counter at a new millisecond, so every 4096 IDs it wraps and sorts below the ID before it.",
	"google_uuid_random_after_time": "Variant google_uuid_random_after_time (google/uuid before 1.6.0, issue 148) puts random bits after the timestamp, so IDs of one millisecond come out in random order.",
	"read_then_write":               "Variant read_then_write reads the counter and writes it back a round trip later without a transaction, so allocations that interleave read the same value (a lost update).",
	"same_offset":                   "Variant same_offset configures every ticket server with offset 1, so they hand out the same tickets (Flickr's scheme relies on distinct offsets).",
}

// ErrClockBackwards is returned when a generator refuses a clock that
// went back.
var ErrClockBackwards = errors.New("clock moved backwards")

// Snowflake is a Snowflake generator with one of the bugs above; in
// every other respect it refuses a clock that went back and waits for
// the next tick when its sequence is used up.
type Snowflake struct {
	clk     clock.Clock
	bug     Bug
	epoch   int64
	unit    int64
	tShift  uint8
	sShift  uint8
	maxSeq  uint64
	node    uint64
	last    int64
	seq     uint64
	counter uint64
}

// NewSnowflake builds a generator with bug for the given node fields of
// layout. The fields are not range-checked when the bug is that they
// are not.
func NewSnowflake(l snowflake.Layout, datacenter, worker int64, bug Bug, clk clock.Clock) (*Snowflake, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	g := &Snowflake{clk: clk, bug: bug, epoch: l.Epoch.UnixNano(), unit: int64(l.Unit),
		tShift: l.Time.Shift, sShift: l.Sequence.Shift, maxSeq: l.Sequence.Max(), last: -1}
	dc := uint64(datacenter) << l.Datacenter.Shift
	switch bug {
	case UnmaskedWorker:
		g.node = dc | uint64(worker)<<l.Worker.Shift
	case NarrowWorkerShift:
		g.node = dc | uint64(uint16(worker)<<l.Worker.Shift)
	case SequenceResetBeforeClockCheck, NoWaitOnWrap:
		if uint64(worker) > l.Worker.Max() || uint64(datacenter) > l.Datacenter.Max() {
			return nil, fmt.Errorf("faulty: node %d/%d does not fit layout %s", datacenter, worker, l.Name)
		}
		g.node = dc | uint64(worker)<<l.Worker.Shift
	default:
		return nil, fmt.Errorf("faulty: unknown bug %d", bug)
	}
	return g, nil
}

// Next returns an ID, waiting through the clock when the sequence is
// used up.
func (g *Snowflake) Next() (uint64, error) {
	for {
		id, wait, err := g.TryNext()
		if err != nil || wait == 0 {
			return id, err
		}
		clock.Sleep(g.clk, wait)
	}
}

// TryNext follows snowflake.Generator.TryNext's contract.
func (g *Snowflake) TryNext() (uint64, time.Duration, error) {
	now := g.clk.Now()
	if now < g.epoch {
		return 0, 0, snowflake.ErrBeforeEpoch
	}
	tick := (now - g.epoch) / g.unit
	untilNext := time.Duration(g.epoch + (tick+1)*g.unit - now)
	switch g.bug {
	case SequenceResetBeforeClockCheck:
		if tick == g.last {
			if g.seq == g.maxSeq {
				return 0, untilNext, nil
			}
			g.seq++
		} else {
			g.seq = 0 // the bug: reset before the check below
		}
		if tick < g.last {
			return 0, 0, ErrClockBackwards
		}
		g.last = tick
	case NoWaitOnWrap:
		g.seq = g.counter & g.maxSeq
		g.counter++
	default:
		switch {
		case tick == g.last:
			if g.seq == g.maxSeq {
				return 0, untilNext, nil
			}
			g.seq++
		case tick > g.last:
			g.last, g.seq = tick, 0
		default:
			return 0, 0, ErrClockBackwards
		}
	}
	return uint64(tick)<<g.tShift | g.node | g.seq<<g.sShift, 0, nil
}

// V7Bug names a documented bug of a UUIDv7 generator.
type V7Bug int

const (
	// CounterNeverReset is gofrs/uuid's v7 (issue 254): the 12-bit
	// counter after the timestamp is incremented on every call and never
	// reset when the millisecond changes, so every 4096 IDs it wraps and
	// an ID sorts below the one before it in the same millisecond.
	CounterNeverReset V7Bug = iota + 1
	// RandomAfterTimestamp is google/uuid's NewV7 before 1.6.0 (issue
	// 148): the bits after the timestamp are random, so IDs of the same
	// millisecond come in random order.
	RandomAfterTimestamp
)

// V7Bugs lists the UUIDv7 bugs by their scenario names.
var V7Bugs = map[string]V7Bug{
	"gofrs_counter_never_reset":     CounterNeverReset,
	"google_uuid_random_after_time": RandomAfterTimestamp,
}

// V7 is a UUIDv7 generator with one of the bugs above.
type V7 struct {
	clk     clock.Clock
	rnd     entropy.Source
	bug     V7Bug
	counter uint64
}

// NewV7 builds a UUIDv7 generator with bug.
func NewV7(bug V7Bug, clk clock.Clock, rnd entropy.Source) (*V7, error) {
	if bug != CounterNeverReset && bug != RandomAfterTimestamp {
		return nil, fmt.Errorf("faulty: unknown v7 bug %d", bug)
	}
	return &V7{clk: clk, rnd: rnd, bug: bug}, nil
}

// NextHiLo returns the next UUID as its high and low 64 bits: 48 bits of
// Unix milliseconds, version 7, 12 bits after the timestamp (the bug),
// the RFC 9562 variant and 62 random bits.
func (g *V7) NextHiLo() (hi, lo uint64) {
	ms := uint64(g.clk.Now()/int64(time.Millisecond)) & (1<<48 - 1)
	var a uint64
	switch g.bug {
	case CounterNeverReset:
		a = g.counter & 0xFFF
		g.counter++
	case RandomAfterTimestamp:
		a = g.rnd.Uint64() & 0xFFF
	}
	hi = ms<<16 | 0x7<<12 | a
	lo = 0b10<<62 | g.rnd.Uint64()>>2
	return hi, lo
}

// ReadThenWrite is a range allocator over a SQL sequence row that reads
// the counter and writes it back in two statements without a
// transaction: the lost-update bug behind duplicate keys whenever two
// clients interleave. It exists to show that a linearizability check
// against a real database catches it.
type ReadThenWrite struct {
	DB   *sql.DB
	Name string
	// Between, if set, runs between the read and the write (to widen the
	// window in tests).
	Between func()
	// Postgres selects $1-style placeholders.
	Postgres bool
}

// Allocate reads next, then writes next + n.
func (a *ReadThenWrite) Allocate(ctx context.Context, n uint64) (lo, hi uint64, err error) {
	read, write := `SELECT next FROM idsim_sequences WHERE name = ?`, `UPDATE idsim_sequences SET next = ? WHERE name = ?`
	if a.Postgres {
		read, write = `SELECT next FROM idsim_sequences WHERE name = $1`, `UPDATE idsim_sequences SET next = $1 WHERE name = $2`
	}
	var next int64
	if err := a.DB.QueryRowContext(ctx, read, a.Name).Scan(&next); err != nil {
		return 0, 0, err
	}
	if a.Between != nil {
		a.Between()
	}
	if _, err := a.DB.ExecContext(ctx, write, next+int64(n), a.Name); err != nil {
		return 0, 0, err
	}
	return uint64(next), uint64(next) + n, nil
}
