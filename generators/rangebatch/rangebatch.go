// Package rangebatch generates IDs from ranges of a shared sequence, the
// way database-backed allocators (Flickr's ticket servers, Meituan's Leaf
// "segment" mode, Hibernate's pooled optimiser) do: a generator takes a
// range of Batch IDs from an allocator in one round trip and hands them
// out locally. With prefetching it asks for the next range when a
// fraction of the current one is used, so a caller rarely waits (a double
// buffer). IDs from one generator increase; IDs from different generators
// interleave.
//
// A range taken and not used up before a crash is lost: the sequence has
// gaps, never duplicates, as long as the allocator never hands out a range
// twice. An allocator outage is survived only while buffered IDs last.
//
// Auto-increment is the degenerate case: a batch of one and no prefetch,
// one round trip per ID.
package rangebatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Range is the half-open interval [Lo, Hi) of IDs.
type Range struct {
	Lo, Hi uint64
}

// Len returns the number of IDs in the range.
func (r Range) Len() uint64 { return r.Hi - r.Lo }

// Allocator hands out disjoint ranges of a shared sequence: for example a
// database row incremented by n in a transaction, returning the range it
// covered.
type Allocator interface {
	Allocate(ctx context.Context, n uint64) (Range, error)
}

// Config configures a generator.
type Config struct {
	// Batch is the number of IDs per range; at least 1.
	Batch uint64
	// PrefetchAt is the fraction of a range that, once used, starts the
	// fetch of the next one, in (0, 1]. Zero disables prefetching: a
	// range is fetched when the last one is used up.
	PrefetchAt float64
}

func (c Config) validate() error {
	if c.Batch == 0 {
		return errors.New("rangebatch: Batch must be at least 1")
	}
	if c.PrefetchAt < 0 || c.PrefetchAt > 1 {
		return fmt.Errorf("rangebatch: PrefetchAt %v out of range (0, 1], or 0 for none", c.PrefetchAt)
	}
	return nil
}

// Action says what a Core's caller must do after Next.
type Action uint8

const (
	// Issued: the ID is valid.
	Issued Action = iota
	// IssuedFetch: the ID is valid; start fetching the next range in the
	// background and hand it to Supply or Failed.
	IssuedFetch
	// Fetch: nothing is buffered; fetch a range, hand it to Supply (or
	// Failed), and call Next again.
	Fetch
	// Wait: nothing is buffered and a fetch is already under way; call
	// Next again once it has been supplied.
	Wait
)

// Core is the allocation logic without I/O: a current range, an optional
// next one, and whether a fetch is in flight. Drivers — the blocking
// Generator here, and idsim's simulator — perform the fetches it asks
// for. It is not safe for concurrent use.
type Core struct {
	batch     uint64
	prefetch  bool
	threshold uint64 // prefetch once no more than this many IDs remain
	cur, next Range
	haveNext  bool
	inflight  bool
}

// NewCore returns an empty core; its first Next asks for a fetch.
func NewCore(cfg Config) (*Core, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Core{batch: cfg.Batch}
	if cfg.PrefetchAt > 0 {
		used := min(cfg.Batch, uint64(float64(cfg.Batch)*cfg.PrefetchAt))
		c.prefetch, c.threshold = true, cfg.Batch-used
	}
	return c, nil
}

// Batch returns the number of IDs a fetch asks for.
func (c *Core) Batch() uint64 { return c.batch }

// Next issues an ID from the buffered ranges, or says what to fetch.
func (c *Core) Next() (id uint64, a Action) {
	if c.cur.Lo == c.cur.Hi && c.haveNext {
		c.cur, c.haveNext = c.next, false
	}
	if c.cur.Lo == c.cur.Hi {
		if c.inflight {
			return 0, Wait
		}
		c.inflight = true
		return 0, Fetch
	}
	id = c.cur.Lo
	c.cur.Lo++
	if c.prefetch && !c.haveNext && !c.inflight && c.cur.Len() <= c.threshold {
		c.inflight = true
		return id, IssuedFetch
	}
	return id, Issued
}

// Supply hands the core the range a fetch returned.
func (c *Core) Supply(r Range) {
	c.inflight = false
	if c.cur.Lo == c.cur.Hi && !c.haveNext {
		c.cur = r
		return
	}
	c.next, c.haveNext = r, true
}

// Failed tells the core a fetch failed; the next Next that needs a range
// asks again.
func (c *Core) Failed() { c.inflight = false }

// Buffered returns the number of IDs held and not yet issued.
func (c *Core) Buffered() uint64 {
	n := c.cur.Len()
	if c.haveNext {
		n += c.next.Len()
	}
	return n
}

// Generator is a Core driven by a real Allocator: Next blocks while a
// range is fetched, and prefetches run in the background. It is safe for
// concurrent use.
type Generator struct {
	mu    sync.Mutex
	ready *sync.Cond
	core  *Core
	alloc Allocator
}

// New returns a generator taking ranges from alloc.
func New(cfg Config, alloc Allocator) (*Generator, error) {
	if alloc == nil {
		return nil, errors.New("rangebatch: nil allocator")
	}
	core, err := NewCore(cfg)
	if err != nil {
		return nil, err
	}
	g := &Generator{core: core, alloc: alloc}
	g.ready = sync.NewCond(&g.mu)
	return g, nil
}

// Next returns the next ID, fetching a range first if none is buffered.
// It fails when that fetch fails; a failed background prefetch is retried
// by the next call that needs it.
func (g *Generator) Next(ctx context.Context) (uint64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		id, a := g.core.Next()
		switch a {
		case Issued:
			return id, nil
		case IssuedFetch:
			go g.prefetch()
			return id, nil
		case Fetch:
			g.mu.Unlock()
			r, err := g.alloc.Allocate(ctx, g.core.Batch())
			g.mu.Lock()
			if err != nil {
				g.core.Failed()
				g.ready.Broadcast()
				return 0, fmt.Errorf("rangebatch: fetching a range: %w", err)
			}
			g.core.Supply(r)
			g.ready.Broadcast()
		case Wait:
			g.ready.Wait()
		}
	}
}

func (g *Generator) prefetch() {
	r, err := g.alloc.Allocate(context.Background(), g.core.Batch())
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		g.core.Failed()
	} else {
		g.core.Supply(r)
	}
	g.ready.Broadcast()
}

// Memory is an in-process Allocator: a counter behind a mutex. It is
// for tests and examples; real allocators live in a database.
type Memory struct {
	mu   sync.Mutex
	next uint64
}

// NewMemory returns an allocator whose first ID is first.
func NewMemory(first uint64) *Memory { return &Memory{next: first} }

// Allocate returns the next n IDs.
func (m *Memory) Allocate(_ context.Context, n uint64) (Range, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := Range{Lo: m.next, Hi: m.next + n}
	m.next += n
	return r, nil
}
