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
//
// A wide log (NewWide) records 128-bit IDs (UUIDs, ULIDs) in a second
// column for the high halves, 20 bytes per ID; a 64-bit log never pays for
// it.
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
	// Min and Max bound the IDs in the block (in a wide log, their high
	// halves).
	Min, Max uint64
	// Sorted is true when the block's IDs strictly increase.
	Sorted bool
	// IDs are the issued IDs in issue order (in a wide log, the low
	// halves).
	IDs []uint64
	// His are the high halves of 128-bit IDs; nil in a 64-bit log.
	His []uint64
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

	// Wide logs only.
	wide         bool
	his          []uint64
	maxHi, maxLo uint64 // the largest 128-bit ID of the current block
}

// New returns an empty log of 64-bit IDs for the given worker.
func New(worker int) *Log { return &Log{Worker: worker} }

// NewWide returns an empty log of 128-bit IDs for the given worker.
func NewWide(worker int) *Log { return &Log{Worker: worker, wide: true} }

// Wide reports whether the log holds 128-bit IDs.
func (l *Log) Wide() bool { return l.wide }

// Append128 records the 128-bit ID (hi, lo) issued at true time t, in a
// wide log. Times must not decrease.
func (l *Log) Append128(hi, lo uint64, t int64) {
	off := uint64(t - l.base)
	if l.pos == len(l.ids) || off > math.MaxUint32 {
		l.grow(t)
		off = 0
	}
	if l.pos != 0 && (hi < l.maxHi || hi == l.maxHi && lo <= l.maxLo) {
		l.unsorted = true
	}
	if l.pos == 0 || hi > l.maxHi || hi == l.maxHi && lo > l.maxLo {
		l.maxHi, l.maxLo = hi, lo
	}
	l.his[l.pos] = hi
	l.ids[l.pos] = lo
	l.offs[l.pos] = uint32(off)
	l.pos++
	l.lo = min(l.lo, hi)
	l.hi = max(l.hi, hi)
}

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
	if l.wide {
		l.his = make([]uint64, size)
	}
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
	if l.wide {
		b.His = l.his[:l.pos:len(l.his)]
	}
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
		total += int64(cap(b.IDs))*8 + int64(cap(b.Offs))*4 + int64(cap(b.His))*8 + 104
	}
	return total
}

// Each calls fn for every entry in issue order with its index, ID (the
// low half, in a wide log) and true time, stopping early if fn returns
// false.
func (l *Log) Each(fn func(i int64, id uint64, t int64) bool) {
	for _, b := range l.Blocks() {
		for j, id := range b.IDs {
			if !fn(b.Start+int64(j), id, b.Base+int64(b.Offs[j])) {
				return
			}
		}
	}
}
