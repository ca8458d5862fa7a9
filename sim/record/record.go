// Package record stores every ID a simulated worker issues, with the true
// (virtual) time it was issued at, in about 12 bytes per ID.
//
// A Log belongs to one worker, so the worker is implicit. IDs are kept raw
// (8 bytes); times are kept as 32-bit nanosecond offsets from the start of
// the block they sit in, and a block ends when the next offset would not
// fit (about 4.3 s). The worker's clock reading at issue time is not stored:
// the simulator's clocks are deterministic functions of true time, so it is
// recomputed from the clock's history when a finding needs it.
//
// Blocks also keep the smallest and largest ID in them, which lets checkers
// skip blocks that cannot hold a value they look for.
package record

import "math"

const (
	firstBlock = 512
	maxBlock   = 4096
)

// Block is a run of consecutive entries of one log.
type Block struct {
	// Base is the true time of the block's first entry, in nanoseconds.
	Base int64
	// Start is the index, within the log, of the block's first entry.
	Start int64
	// Min and Max bound the IDs in the block.
	Min, Max uint64
	// Sorted is true when the block's IDs strictly increase.
	Sorted bool
	// IDs are the issued IDs in issue order.
	IDs []uint64
	// Offs[i] is the true time of IDs[i] minus Base.
	Offs []uint32
}

// Time returns the true time of entry i of the block.
func (b *Block) Time(i int) int64 { return b.Base + int64(b.Offs[i]) }

// Log is one worker's record of issued IDs, in issue order. A Log is not
// safe for concurrent use.
type Log struct {
	// Worker is the index of the worker that issued the IDs.
	Worker int

	blocks []*Block
	n      int64

	// The block being filled, kept in the Log itself so that Append touches
	// one struct: full-length slices, the fill position and running bounds.
	ids      []uint64
	offs     []uint32
	pos      int
	base     int64
	lo, hi   uint64
	unsorted bool
}

// New returns an empty log for the given worker.
func New(worker int) *Log { return &Log{Worker: worker} }

// Append records id issued at true time t. Times must not decrease.
func (l *Log) Append(id uint64, t int64) {
	off := uint64(t - l.base)
	if l.pos == len(l.ids) || off > math.MaxUint32 {
		l.grow(t)
		off = 0
	}
	if id <= l.hi && l.pos != 0 {
		l.unsorted = true
	}
	l.ids[l.pos] = id
	l.offs[l.pos] = uint32(off)
	l.pos++
	l.lo = min(l.lo, id)
	l.hi = max(l.hi, id)
}

// grow seals the current block and starts a new one at time t, twice the
// size of the last up to maxBlock, so short logs waste little and long
// ones allocate rarely.
func (l *Log) grow(t int64) {
	size := firstBlock
	if l.ids != nil {
		l.seal()
		size = min(2*len(l.ids), maxBlock)
	}
	l.n += int64(l.pos)
	l.ids = make([]uint64, size)
	l.offs = make([]uint32, size)
	l.pos = 0
	l.base = t
	l.lo, l.hi = math.MaxUint64, 0
	l.unsorted = false
	l.blocks = append(l.blocks, &Block{Base: t, Start: l.n})
}

// seal copies the fill state of the current block into its Block.
func (l *Log) seal() {
	if len(l.blocks) == 0 {
		return
	}
	b := l.blocks[len(l.blocks)-1]
	b.IDs = l.ids[:l.pos:len(l.ids)]
	b.Offs = l.offs[:l.pos:len(l.offs)]
	b.Min, b.Max = l.lo, l.hi
	b.Sorted = !l.unsorted
}

// Blocks returns the log's blocks in order, the last one possibly partly
// filled. The result is valid until the next Append.
func (l *Log) Blocks() []*Block {
	l.seal()
	return l.blocks
}

// Len returns the number of recorded IDs.
func (l *Log) Len() int64 { return l.n + int64(l.pos) }

// Bytes returns the memory the log's blocks hold, including unused
// capacity.
func (l *Log) Bytes() int64 {
	var total int64
	for _, b := range l.Blocks() {
		total += int64(cap(b.IDs))*8 + int64(cap(b.Offs))*4 + 80
	}
	return total
}

// Each calls fn for every entry in issue order with its index, ID and true
// time, stopping early if fn returns false.
func (l *Log) Each(fn func(i int64, id uint64, t int64) bool) {
	for _, b := range l.Blocks() {
		for j, id := range b.IDs {
			if !fn(b.Start+int64(j), id, b.Base+int64(b.Offs[j])) {
				return
			}
		}
	}
}
