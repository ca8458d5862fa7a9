// Package record stores every ID a simulated worker issues, with the true
// (virtual) time it was issued at, in about 2.6 bytes per ID for a
// busy time-ordered 64-bit scheme.
//
// A Log belongs to one worker, so the worker is implicit. Entries are
// appended to a fill buffer of raw IDs and 32-bit time offsets; when it is
// full the buffer is sealed into a compact block and reused, so a long run
// faults in no fresh memory for the buffer. A sealed block holds the
// differences between consecutive IDs in a variable-length bit code
// (bits.go) and those between consecutive true times packed at a fixed
// width per group of 128: a worker's IDs and times are nearly
// increasing, and the differences are small (a Snowflake worker's next
// ID is usually one more, its next call a few microseconds later). The worker's clock
// reading at issue time is not stored: the simulator's clocks are
// deterministic functions of true time, so it is recomputed from the
// clock's history when a finding needs it.
//
// Blocks keep the smallest and largest ID in them, which lets checkers
// skip blocks that cannot hold a value they look for, and a block whose
// IDs strictly increase keeps a restart point every 256 entries, so the
// IDs of a value range are decoded without decoding the whole block.
//
// A wide log (NewWide) records 128-bit IDs (UUIDs, ULIDs): the low halves
// raw (random bits do not compress), the high halves as differences; a
// 64-bit log never pays for them.
//
// The logs of a run may share a Spill (spill.go), which takes their
// sealed chunks to a temporary file once they hold more memory than its
// budget; a spilled block is read back whenever it is decoded.
package record

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
)

const (
	firstBlock = 256
	maxBlock   = 2048
	// restartEvery is the distance between restart points of a sorted
	// block.
	restartEvery = 256
	// timeGroup is how many time differences share a width.
	timeGroup = 128
)

// Block is a run of consecutive entries of one log.
type Block struct {
	// Base is the true time of the block's first entry, in nanoseconds;
	// Last that of its last entry.
	Base, Last int64
	// Start is the index, within the log, of the block's first entry.
	Start int64
	// Min and Max bound the IDs in the block (in a wide log, their high
	// halves).
	Min, Max uint64
	// Sorted is true when the block's IDs strictly increase.
	Sorted bool

	n      int32
	wide   bool
	sealed bool
	idK    uint8

	// A sealed block: the first ID, then the differences, in data: from
	// 0 those of the IDs (of the high halves, in a wide log), from
	// timesAt those of the true times, from losAt (wide logs) the low
	// halves, 8 bytes each.
	first    uint64
	timesAt  uint32
	losAt    uint32
	data     []byte
	restarts []restart
	runs     []run // runs.go

	// The log's current block is not sealed: it views the fill buffer.
	raw *rawView

	// A spilled block's data is in the spill file instead (spill.go):
	// diskLen bytes from diskOff in the chunk disk.
	disk             *spilledChunk
	diskOff, diskLen uint32
}

// rawView is the unsealed part of the log, in the fill buffer.
type rawView struct {
	ids, his []uint64
	offs     []uint32
}

// restart is a point of a sorted block where decoding can begin: entry
// (k+1)*restartEvery of the block has ID v, and the difference to the
// next entry starts at bit off of ids.
type restart struct {
	v   uint64
	off uint32
}

// Len returns the number of entries in the block.
func (b *Block) Len() int { return int(b.n) }

// AppendIDs appends the block's IDs (in a wide log, the low halves), in
// issue order, to dst and returns it.
func (b *Block) AppendIDs(dst []uint64) []uint64 {
	if !b.sealed {
		return append(dst, b.raw.ids...)
	}
	if b.n == 0 {
		return dst
	}
	p, buf := b.bytes()
	defer b.done(buf)
	if p == nil {
		return zeros(dst, b.n)
	}
	if b.wide {
		for i := range b.n {
			dst = append(dst, binary.LittleEndian.Uint64(p[int(b.losAt)+8*int(i):]))
		}
		return dst
	}
	return b.appendDeltas(dst, p)
}

// AppendHis appends the high halves of a wide block's IDs to dst and
// returns it; in a 64-bit log it returns dst unchanged.
func (b *Block) AppendHis(dst []uint64) []uint64 {
	if !b.wide {
		return dst
	}
	if !b.sealed {
		return append(dst, b.raw.his...)
	}
	if b.n == 0 {
		return dst
	}
	p, buf := b.bytes()
	defer b.done(buf)
	if p == nil {
		return zeros(dst, b.n)
	}
	return b.appendDeltas(dst, p)
}

// AppendTimes appends the true times of the block's entries to dst and
// returns it.
func (b *Block) AppendTimes(dst []int64) []int64 {
	if !b.sealed {
		for _, o := range b.raw.offs {
			dst = append(dst, b.Base+int64(o))
		}
		return dst
	}
	if b.n == 0 {
		return dst
	}
	data, buf := b.bytes()
	defer b.done(buf)
	if data == nil {
		return zeros(dst, b.n)
	}
	k := len(dst)
	dst = slices.Grow(dst, int(b.n))[:k+int(b.n)]
	d := dst[k:]
	p := data[b.timesAt:]
	t := b.Base
	d[0] = t
	off := 0
	for g := 1; g < len(d); g += timeGroup {
		width := uint(p[off])
		off++
		mask := uint64(1)<<width - 1
		group := d[g:min(g+timeGroup, len(d))]
		for j := range group {
			bp := uint(j) * width
			t += int64(binary.LittleEndian.Uint64(p[off+int(bp>>3):]) >> (bp & 7) & mask)
			group[j] = t
		}
		off += (len(group)*int(width) + 7) / 8
	}
	return dst
}

// AppendRange appends to dst, ascending, the IDs of a sorted 64-bit
// block that lie in [lo, hi], and returns it. It decodes from the last
// restart point at or below lo (at most restartEvery entries before the
// first it returns) to the end of the block. On an unsorted or wide
// block it filters every ID.
func (b *Block) AppendRange(dst []uint64, lo, hi uint64) []uint64 {
	if lo > hi || lo > b.Max || hi < b.Min || b.n == 0 {
		return dst
	}
	if !b.Sorted || b.wide {
		for _, id := range b.AppendIDs(nil) {
			if id >= lo && id <= hi {
				dst = append(dst, id)
			}
		}
		return dst
	}
	if !b.sealed {
		i, _ := slices.BinarySearch(b.raw.ids, lo)
		for ; i < len(b.raw.ids) && b.raw.ids[i] <= hi; i++ {
			dst = append(dst, b.raw.ids[i])
		}
		return dst
	}
	p, buf := b.bytes()
	defer b.done(buf)
	if p == nil {
		return dst
	}
	// Decode from the last restart point whose value is at most lo to
	// the first whose value is above hi (or the end of the block), in
	// bulk, then keep [lo, hi]: a block reaching into many value ranges
	// is decoded about once in all, not to its end for each.
	v, left, pos := b.first, int(b.n)-1, uint(0)
	j := sortSearch(len(b.restarts), func(i int) bool { return b.restarts[i].v > lo })
	if j > 0 {
		rs := b.restarts[j-1]
		v, left, pos = rs.v, int(b.n)-1-j*restartEvery, uint(rs.off)
	}
	if e := j + sortSearch(len(b.restarts)-j, func(i int) bool { return b.restarts[j+i].v > hi }); e < len(b.restarts) {
		// Entry (e+1)*restartEvery is the first past hi: stop before it.
		left -= int(b.n) - 1 - (e+1)*restartEvery + 1
	}
	k := len(dst)
	dst = slices.Grow(dst, left+1)[:k+left+1]
	d := dst[k:]
	egDecode(d[1:], p, pos, uint(b.idK))
	d[0] = v
	for i, c := range d[1:] {
		v += c + 1
		d[i+1] = v
	}
	from, _ := slices.BinarySearch(d, lo)
	to := len(d)
	if hi < d[len(d)-1] {
		to, _ = slices.BinarySearch(d, hi+1)
	}
	n := copy(d, d[from:to])
	return dst[:k+n]
}

// appendDeltas decodes the ID column (the high halves, in a wide log)
// from the block's data p.
func (b *Block) appendDeltas(dst []uint64, p []byte) []uint64 {
	k := len(dst)
	dst = slices.Grow(dst, int(b.n))[:k+int(b.n)]
	d := dst[k:]
	egDecode(d[1:], p, 0, uint(b.idK))
	v := b.first
	d[0] = v
	if b.wide || !b.Sorted {
		for i, c := range d[1:] {
			v += c>>1 ^ -(c & 1)
			d[i+1] = v
		}
		return dst
	}
	for i, c := range d[1:] {
		v += c + 1
		d[i+1] = v
	}
	return dst
}

// sortSearch is sort.Search without the import's indirection.
func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Log is one worker's record of issued IDs, in issue order. A Log is not
// safe for concurrent use.
type Log struct {
	// Worker is the index of the worker that issued the IDs.
	Worker int

	blocks []*Block
	n      int64

	// The fill buffer, kept in the Log itself so that Append touches one
	// struct: full-length slices, the fill position and running bounds.
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

	// Sealed blocks' bytes are carved from chunks; held counts the bytes
	// of memory the log holds.
	chunk      []byte
	scratch    []byte
	deltas     []uint64
	runScratch []run
	held       int64

	// spill, when set, takes full chunks to disk (spill.go); the blocks
	// from index chunkFrom on are carved from chunk.
	spill     *Spill
	chunkFrom int
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

// grow seals the current block and starts a new one at time t. The fill
// buffer is reused; while the log is short it doubles, from firstBlock to
// maxBlock entries, so short logs waste little.
func (l *Log) grow(t int64) {
	if l.ids != nil {
		l.seal()
	}
	if l.pos == len(l.ids) && len(l.ids) < maxBlock {
		size := firstBlock
		if l.ids != nil {
			size = 2 * len(l.ids)
		}
		l.held += int64(size-len(l.ids)) * 12
		l.ids = make([]uint64, size)
		l.offs = make([]uint32, size)
		if l.wide {
			l.held += int64(size-len(l.his)) * 8
			l.his = make([]uint64, size)
		}
	}
	l.n += int64(l.pos)
	l.pos = 0
	l.base = t
	l.lo, l.hi = math.MaxUint64, 0
	l.unsorted = false
	l.blocks = append(l.blocks, &Block{Base: t, Start: l.n, wide: l.wide})
	l.held += blockHeader
}

// blockHeader is what a Block and its pointer cost.
const blockHeader = 136

// view points the current block at the fill buffer.
func (l *Log) view() {
	if len(l.blocks) == 0 {
		return
	}
	b := l.blocks[len(l.blocks)-1]
	if b.sealed {
		return
	}
	b.n = int32(l.pos)
	if b.raw == nil {
		b.raw = &rawView{}
	}
	b.raw.ids = l.ids[:l.pos]
	b.raw.offs = l.offs[:l.pos]
	if l.wide {
		b.raw.his = l.his[:l.pos]
	}
	b.Min, b.Max = l.lo, l.hi
	b.Sorted = !l.unsorted
	b.Last = b.Base
	if l.pos > 0 {
		b.Last = b.Base + int64(l.offs[l.pos-1])
	}
}

// seal encodes the fill buffer into the current block.
func (l *Log) seal() {
	l.view()
	b := l.blocks[len(l.blocks)-1]
	b.raw = nil
	b.sealed = true
	n := l.pos
	if n == 0 {
		return
	}
	// IDs (high halves in a wide log): differences, zigzagged unless
	// they are all positive, and then less one.
	vals := l.ids[:n]
	if l.wide {
		vals = l.his[:n]
	}
	b.first = vals[0]
	zigzag := l.wide || !b.Sorted
	var hist [65]uint32
	deltas := l.deltas[:0]
	for i := 1; i < n; i++ {
		d := vals[i] - vals[i-1]
		if zigzag {
			d = uint64(int64(d)<<1 ^ int64(d)>>63)
		} else {
			d-- // strictly increasing: at least 1
		}
		deltas = append(deltas, d)
		hist[bits.Len64(d)]++
	}
	k := bestOrder(&hist)
	b.idK = uint8(k)
	var rs []restart
	if !zigzag && n > restartEvery {
		rs = make([]restart, 0, (n-1)/restartEvery)
	}
	w := bitWriter{buf: l.scratch[:0]}
	for i := 0; i < len(deltas); {
		// Order 0 codes a zero as a single one bit: a run of them (a
		// busy worker's consecutive IDs) goes out in one write. A run
		// stops at a restart point.
		j := i + 1
		if d := deltas[i]; k == 0 && d == 0 {
			lim := min(len(deltas), i+56, (i/restartEvery+1)*restartEvery)
			for j < lim && deltas[j] == 0 {
				j++
			}
			w.put(1<<(j-i)-1, uint(j-i))
		} else {
			w.eg(d, k)
		}
		if !zigzag && j%restartEvery == 0 {
			rs = append(rs, restart{v: vals[j], off: w.bitsNow()})
		}
		i = j
	}
	w.flush()
	idLen := len(w.buf)
	// True times: differences (never negative, and below 2^32 within a
	// block), packed at a fixed width per group of timeGroup, the
	// width in a byte before each group, so that they decode without a
	// chain of variable lengths.
	for g := 1; g < n; g += timeGroup {
		var or uint32
		for i := g; i < min(g+timeGroup, n); i++ {
			or |= l.offs[i] - l.offs[i-1]
		}
		width := uint(bits.Len32(or))
		w.buf = append(w.buf, byte(width))
		if width > 0 {
			// As many differences per write as fit in 56 bits.
			per := int(56 / width)
			end := min(g+timeGroup, n)
			for i := g; i < end; i += per {
				var v uint64
				m := min(per, end-i)
				for j := m - 1; j >= 0; j-- {
					v = v<<width | uint64(l.offs[i+j]-l.offs[i+j-1])
				}
				w.put(v, uint(m)*width)
			}
		}
		if w.n > 0 {
			w.buf = append(w.buf, byte(w.acc))
			w.acc, w.n = 0, 0
		}
	}
	w.flush()
	timeLen := len(w.buf) - idLen
	s := w.buf
	if l.wide {
		for _, lo := range l.ids[:n] {
			s = binary.LittleEndian.AppendUint64(s, lo)
		}
	}
	l.scratch, l.deltas = s, deltas
	mem := l.alloc(len(s))
	copy(mem, s)
	b.data = mem
	b.timesAt, b.losAt = uint32(idLen), uint32(idLen+timeLen)
	if len(rs) > 0 {
		b.restarts = rs
		l.held += int64(cap(rs)) * 16
	}
	if !zigzag {
		if runs := l.sealRuns(n, b.Base); runs != nil {
			b.runs = slices.Clone(runs)
			l.held += int64(cap(b.runs)) * 12
		}
	}
}

// alloc returns n bytes carved from the log's current chunk, starting a
// new chunk (twice the last, 4 KiB to 64 KiB) when it has too little
// left.
func (l *Log) alloc(n int) []byte {
	if cap(l.chunk)-len(l.chunk) < n {
		size := min(max(2*cap(l.chunk), 4<<10), 64<<10)
		size = max(size, n)
		l.chunk = l.newChunk(size)
		l.held += int64(size)
	}
	k := len(l.chunk)
	l.chunk = l.chunk[:k+n]
	return l.chunk[k : k+n : k+n]
}

// Blocks returns the log's blocks in order, the last one possibly partly
// filled. The result is valid until the next Append.
func (l *Log) Blocks() []*Block {
	l.view()
	return l.blocks
}

// Len returns the number of recorded IDs.
func (l *Log) Len() int64 { return l.n + int64(l.pos) }

// Bytes returns the memory the log holds: sealed blocks (including the
// unused rest of the chunk they are carved from), their headers and
// restart points, and the fill buffer. Chunks spilled to disk count as
// if they were in memory, so the figure does not depend on spilling.
func (l *Log) Bytes() int64 { return l.held }

// Each calls fn for every entry in issue order with its index, ID (the
// low half, in a wide log) and true time, stopping early if fn returns
// false.
func (l *Log) Each(fn func(i int64, id uint64, t int64) bool) {
	var ids []uint64
	var times []int64
	for _, b := range l.Blocks() {
		ids = b.AppendIDs(ids[:0])
		times = b.AppendTimes(times[:0])
		for j, id := range ids {
			if !fn(b.Start+int64(j), id, times[j]) {
				return
			}
		}
	}
}
