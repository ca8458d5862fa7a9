package audit

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
)

// entry is one ID with its line, for the duplicate check.
type entry struct {
	id   ID
	line int64
}

// narrow is an entry of a 64-bit ID (Hi 0), as most are: two thirds the
// size of an entry, so that pieces of them take less memory and sort
// faster.
type narrow struct {
	lo   uint64
	line int64
}

// piece is a batch of entries in line order, to be sorted into a run:
// 64-bit IDs in nar, the others in wide (one of the two is set).
type piece struct {
	wide []entry
	nar  []narrow
}

func less(a, b entry) bool {
	if a.id != b.id {
		return a.id.Hi < b.id.Hi || a.id.Hi == b.id.Hi && a.id.Lo < b.id.Lo
	}
	return a.line < b.line
}

// maxPiece is the most IDs sorted at once: small enough to sort while the
// next are read, and for the radix sort's buckets to stay in cache.
const maxPiece = 1 << 20

// dups finds repeated IDs with bounded memory. The reading goroutine
// fills pieces of up to maxPiece entries, in line order (64-bit IDs and
// wider ones in pieces of their own, since equal IDs are always of the
// same width); a sorting goroutine sorts each (stable, so equal IDs stay
// in line order) and keeps it as a run in memory. When the runs in
// memory reach Options.ChunkIDs entries they are merged into one
// temporary file. At the end all runs, in memory and on disk, are merged
// with a tree of losers.
type dups struct {
	ctx     context.Context
	opt     Options
	piece   []entry       // wide IDs
	nar     []narrow      // 64-bit IDs
	filled  bool          // a piece has reached pieceSize
	todo    chan piece    // full pieces, to the sorter
	free    chan []entry  // emptied pieces, back to the reader
	freeNar chan []narrow // emptied pieces of 64-bit IDs
	done    chan error    // the sorter's result
	closed  bool

	// Owned by the sorter until done is received.
	mem        [][]entry  // sorted runs in memory
	memNar     [][]narrow // sorted runs of 64-bit IDs in memory
	inMem      int
	scratch    []entry
	scratchNar []narrow
	files      []spillFile
	sizes      []int64  // bytes in each file
	names      []string // files not yet unlinked (systems that refuse to)
	spilled    int
	w          *runWriter // reused: its buffer is 1 MiB
}

func newDups(ctx context.Context, opt Options) *dups {
	d := &dups{ctx: ctx, opt: opt, todo: make(chan piece, 1), free: make(chan []entry, 64), freeNar: make(chan []narrow, 64), done: make(chan error, 1)}
	go func() { d.done <- d.sorter() }()
	return d
}

func (d *dups) pieceSize() int {
	if d.opt.pieceIDs > 0 {
		return min(d.opt.ChunkIDs, d.opt.pieceIDs)
	}
	return min(d.opt.ChunkIDs, maxPiece)
}

func (d *dups) add(e entry) error {
	if e.id.Hi == 0 {
		return d.add64(e.id.Lo, e.line)
	}
	d.piece = room(d.piece, d.free, d.pieceSize(), d.filled)
	d.piece = append(d.piece, e)
	if len(d.piece) >= d.pieceSize() {
		d.filled = true
		return d.send(piece{wide: d.piece})
	}
	return nil
}

// add64 is add for a 64-bit ID.
func (d *dups) add64(id uint64, line int64) error {
	d.nar = room(d.nar, d.freeNar, d.pieceSize(), d.filled)
	d.nar = append(d.nar, narrow{id, line})
	if len(d.nar) >= d.pieceSize() {
		d.filled = true
		return d.send(piece{nar: d.nar})
	}
	return nil
}

// firstPiece is the capacity pieces start with until one is filled, so
// that a short file does not make (and clear) pieces of a million
// entries.
const firstPiece = 1 << 12

// room returns p with room for one more entry: p itself, an emptied
// piece from free, or a new one — of size entries once filled says a
// piece has been filled, else firstPiece — or p grown to twice its
// capacity (at most size).
func room[E entry | narrow](p []E, free chan []E, size int, filled bool) []E {
	if len(p) < cap(p) {
		return p
	}
	if p == nil {
		select {
		case q := <-free:
			return q
		default:
		}
		if filled {
			return make([]E, 0, size)
		}
		return make([]E, 0, min(size, firstPiece))
	}
	q := make([]E, len(p), min(2*cap(p), size))
	copy(q, p)
	return q
}

// send hands a full piece (the current one of its width) to the sorter.
func (d *dups) send(p piece) error {
	select {
	case d.todo <- p:
		if p.nar != nil {
			d.nar = nil
		} else {
			d.piece = nil
		}
		return nil
	case err := <-d.done:
		// The sorter stopped early: keep its error for close.
		d.done <- err
		if err == nil {
			err = errors.New("duplicate check stopped")
		}
		return err
	case <-d.ctx.Done():
		return d.ctx.Err()
	}
}

func (d *dups) sorter() error {
	for p := range d.todo {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		if p.nar != nil {
			d.memNar = append(d.memNar, sortPiece(p.nar, &d.scratchNar, radixSort64))
			d.inMem += len(p.nar)
		} else {
			d.mem = append(d.mem, sortPiece(p.wide, &d.scratch, radixSort))
			d.inMem += len(p.wide)
		}
		if d.inMem >= d.opt.ChunkIDs {
			if err := d.spill(); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckTempDir reports whether temporary files can be made in dir (""
// is the system's temporary directory), by making one and removing it.
func CheckTempDir(dir string) error {
	f, err := os.CreateTemp(dir, "idsim-check-*.probe")
	if err != nil {
		return fmt.Errorf("cannot write temporary files for the duplicate check: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unlinkedFile makes a named temporary file in dir and unlinks it at
// once: the open file keeps its data. Where unlinking an open file fails
// (some systems), the file stays named and its name is returned so it
// can be removed when closed.
func unlinkedFile(dir string) (f *os.File, leftName string, err error) {
	f, err = os.CreateTemp(dir, "idsim-check-*.run")
	if err != nil {
		return nil, "", err
	}
	if os.Remove(f.Name()) != nil {
		return f, f.Name(), nil
	}
	return f, "", nil
}

// spillFile is a temporary file of the duplicate check: an *os.File,
// or in tests one that fails on demand.
type spillFile interface {
	io.ReadWriteSeeker
	io.Closer
}

// newSpillFile makes a temporary file for a run, as anonymousFile does
// unless a test has set Options.openSpill.
func (d *dups) newSpillFile() (spillFile, string, error) {
	if d.opt.openSpill != nil {
		return d.opt.openSpill(d.opt.TempDir)
	}
	return anonymousFile(d.opt.TempDir)
}

// spill merges the runs in memory into one temporary file.
func (d *dups) spill() error {
	f, left, err := d.newSpillFile()
	if err != nil {
		return fmt.Errorf("spilling sorted IDs: %w", err)
	}
	d.files = append(d.files, f)
	if left != "" {
		d.names = append(d.names, left)
	}
	d.spilled++
	if d.w == nil {
		d.w = newRunWriter()
	}
	w := d.w
	w.reset(f)
	cs := d.memCursors(nil)
	if err := merge(d.ctx, cs, func(e entry) error { return w.write(e) }); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return fmt.Errorf("spilling sorted IDs: %w", err)
	}
	d.sizes = append(d.sizes, w.size)
	for _, m := range d.mem {
		select {
		case d.free <- m[:0]:
		default:
		}
	}
	for _, m := range d.memNar {
		select {
		case d.freeNar <- m[:0]:
		default:
		}
	}
	d.mem, d.memNar, d.inMem = d.mem[:0], d.memNar[:0], 0
	return nil
}

// memCursors appends to cs a cursor over each sorted run in memory.
func (d *dups) memCursors(cs []*cursor) []*cursor {
	for _, m := range d.memNar {
		cs = append(cs, &cursor{nar: m})
	}
	for _, m := range d.mem {
		cs = append(cs, &cursor{mem: m})
	}
	return cs
}

// finish merges the runs in ID order and calls found for each repeat
// with the first occurrence.
func (d *dups) finish(rep *Report, found func(first, repeat entry)) error {
	if len(d.nar) > 0 {
		if err := d.send(piece{nar: d.nar}); err != nil {
			return err
		}
	}
	if len(d.piece) > 0 {
		if err := d.send(piece{wide: d.piece}); err != nil {
			return err
		}
	}
	close(d.todo)
	d.closed = true
	if err := <-d.done; err != nil {
		d.done <- err
		return err
	}
	d.done <- nil
	rep.SpillFiles = d.spilled
	for _, n := range d.sizes {
		rep.SpillBytes += n
	}
	cs := make([]*cursor, 0, len(d.files)+len(d.mem)+len(d.memNar))
	for i, f := range d.files {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		cs = append(cs, &cursor{r: newRunReader(f, d.sizes[i])})
	}
	if len(d.files) == 0 && d.inMem >= d.splitMin() && len(d.mem)+len(d.memNar) > 1 {
		return d.finishSplit(rep, found)
	}
	cs = d.memCursors(cs)
	var sc dupScan
	return merge(d.ctx, cs, func(e entry) error {
		if sc.see(e) {
			rep.Duplicates++
			if sc.runs == 1 {
				rep.DuplicatedIDs++
			}
			found(sc.first, e)
		}
		return nil
	})
}

// dupScan finds repeats in entries seen in (ID, line) order.
type dupScan struct {
	first entry // the first entry of the current ID
	have  bool
	runs  int // repeats of first so far
}

// see reports whether e repeats the ID before it.
func (sc *dupScan) see(e entry) bool {
	if sc.have && sc.first.id == e.id {
		sc.runs++
		return true
	}
	sc.first, sc.have, sc.runs = e, true, 0
	return false
}

// splitMin is how many entries, all in memory, finish merges as two
// halves at once.
func (d *dups) splitMin() int {
	switch {
	case d.opt.splitMin < 0:
		return math.MaxInt
	case d.opt.splitMin > 0:
		return d.opt.splitMin
	}
	return 1 << 20
}

// finishSplit is finish for runs all in memory, on two cores: the runs
// are cut at an ID near the median of them all, so that every copy of an
// ID is on one side, and the two sides are merged at once; the upper
// side's repeats (its counts, and as many as can be examples) are then
// reported after the lower side's, as one merge would have.
func (d *dups) finishSplit(rep *Report, found func(first, repeat entry)) error {
	m := d.median()
	var lower, upper []*cursor
	for _, r := range d.memNar {
		k, _ := slices.BinarySearchFunc(r, m, func(e narrow, m ID) int { return cmp.Compare(e.lo, m.Lo) })
		if m.Hi != 0 {
			k = len(r) // a narrow ID is below any wide one
		}
		lower, upper = append(lower, &cursor{nar: r[:k]}), append(upper, &cursor{nar: r[k:]})
	}
	for _, r := range d.mem {
		k, _ := slices.BinarySearchFunc(r, m, func(e entry, m ID) int { return compareID(e.id, m) })
		lower, upper = append(lower, &cursor{mem: r[:k]}), append(upper, &cursor{mem: r[k:]})
	}
	type pair struct{ first, repeat entry }
	var (
		upDups, upIDs int64
		upFound       []pair
		upErr         = make(chan error, 1)
	)
	go func() {
		var sc dupScan
		upErr <- merge(d.ctx, upper, func(e entry) error {
			if sc.see(e) {
				upDups++
				if sc.runs == 1 {
					upIDs++
				}
				if len(upFound) < d.opt.Examples {
					upFound = append(upFound, pair{sc.first, e})
				}
			}
			return nil
		})
	}()
	var sc dupScan
	err := merge(d.ctx, lower, func(e entry) error {
		if sc.see(e) {
			rep.Duplicates++
			if sc.runs == 1 {
				rep.DuplicatedIDs++
			}
			found(sc.first, e)
		}
		return nil
	})
	if uerr := <-upErr; err == nil {
		err = uerr
	}
	if err != nil {
		return err
	}
	rep.Duplicates += upDups
	rep.DuplicatedIDs += upIDs
	for _, p := range upFound {
		found(p.first, p.repeat)
	}
	return nil
}

// median returns an ID near the median of the runs in memory, from a
// sample of about a thousand, each standing for as many entries.
func (d *dups) median() ID {
	stride := max(d.inMem/1024, 1)
	var sample []ID
	for _, r := range d.memNar {
		for i := stride / 2; i < len(r); i += stride {
			sample = append(sample, ID{Lo: r[i].lo})
		}
	}
	for _, r := range d.mem {
		for i := stride / 2; i < len(r); i += stride {
			sample = append(sample, r[i].id)
		}
	}
	if len(sample) == 0 {
		return ID{}
	}
	slices.SortFunc(sample, compareID)
	return sample[len(sample)/2]
}

// compareID orders IDs as less does.
func compareID(a, b ID) int {
	if c := cmp.Compare(a.Hi, b.Hi); c != 0 {
		return c
	}
	return cmp.Compare(a.Lo, b.Lo)
}

// close stops the sorter and removes the temporary files.
func (d *dups) close() {
	if !d.closed {
		close(d.todo)
		d.closed = true
	}
	<-d.done
	for _, f := range d.files {
		f.Close()
	}
	for _, name := range d.names {
		os.Remove(name)
	}
	d.files, d.names = nil, nil
}

// cursor reads one sorted run, in memory (mem, or nar for 64-bit IDs)
// or in a file.
type cursor struct {
	cur entry
	mem []entry
	nar []narrow
	pos int
	r   *runReader
}

// next moves to the run's next entry; ok is false at its end.
func (c *cursor) next() (ok bool, err error) {
	if c.nar != nil {
		if c.pos >= len(c.nar) {
			return false, nil
		}
		e := c.nar[c.pos]
		c.cur = entry{ID{Lo: e.lo}, e.line}
		c.pos++
		return true, nil
	}
	if c.r == nil {
		if c.pos >= len(c.mem) {
			return false, nil
		}
		c.cur = c.mem[c.pos]
		c.pos++
		return true, nil
	}
	return c.r.read(&c.cur)
}

// merge calls emit for every entry of the runs in (ID, line) order: a
// k-way merge on a tree of losers over the runs' heads, so that each
// entry costs one comparison per level of the tree (about log2 of the
// number of runs), never a scan of the runs.
func merge(ctx context.Context, cs []*cursor, emit func(entry) error) error {
	k := len(cs)
	live := make([]bool, k) // the run has a head
	for i, c := range cs {
		ok, err := c.next()
		if err != nil {
			return err
		}
		live[i] = ok
	}
	if k == 0 {
		return nil
	}
	// beats reports whether run a's head comes before run b's; an ended
	// run comes after every other.
	beats := func(a, b int) bool {
		if !live[a] || !live[b] {
			return live[a]
		}
		return less(cs[a].cur, cs[b].cur)
	}
	// The tree is implicit: node n's children are 2n and 2n+1, the runs
	// are the leaves k to 2k-1, loser[n] is the run that lost at
	// internal node n and loser[0] the overall winner.
	loser := make([]int, k)
	win := make([]int, 2*k)
	for i := range k {
		win[k+i] = i
	}
	for n := k - 1; n >= 1; n-- {
		a, b := win[2*n], win[2*n+1]
		if beats(b, a) {
			a, b = b, a
		}
		win[n], loser[n] = a, b
	}
	loser[0] = win[1]
	for n := 0; ; n++ {
		w := loser[0]
		if !live[w] {
			return nil
		}
		if n&(1<<16-1) == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := emit(cs[w].cur); err != nil {
			return err
		}
		ok, err := cs[w].next()
		if err != nil {
			return err
		}
		live[w] = ok
		// Replay w's matches from its leaf to the root.
		for p := (w + k) / 2; p >= 1; p /= 2 {
			if beats(loser[p], w) {
				loser[p], w = w, loser[p]
			}
		}
		loser[0] = w
	}
}

// sortPiece sorts a piece with sort, using *scratch (grown to the
// piece's length, at its capacity) as the other buffer, and keeps
// whichever buffer sort leaves spare as the next scratch.
func sortPiece[T any](p []T, scratch *[]T, sort func(es, tmp []T) (sorted, spare []T)) []T {
	if len(*scratch) < len(p) {
		*scratch = make([]T, len(p), cap(p))
	}
	sorted, spare := sort(p, (*scratch)[:len(p)])
	*scratch = spare[:cap(spare)]
	return sorted
}

// radixSort sorts es by ID, stably (equal IDs keep their order, which is
// line order), using tmp (as long as es) as the other buffer. It returns
// the sorted slice and the spare one, which are es and tmp in some order.
// Bytes of the ID that are the same in every entry (the high half of
// 64-bit IDs, the top of the timestamp) cost no pass.
func radixSort(es, tmp []entry) (sorted, spare []entry) {
	if len(es) < 2 {
		return es, tmp
	}
	var diffHi, diffLo uint64
	first := es[0].id
	for i := range es {
		diffHi |= es[i].id.Hi ^ first.Hi
		diffLo |= es[i].id.Lo ^ first.Lo
	}
	// Digits, least significant first: 0-7 are the bytes of Lo, 8-15 of Hi.
	var digits [16]uint8
	nd := 0
	for b := range 8 {
		if diffLo>>(8*b)&0xFF != 0 {
			digits[nd] = uint8(b)
			nd++
		}
	}
	for b := range 8 {
		if diffHi>>(8*b)&0xFF != 0 {
			digits[nd] = uint8(8 + b)
			nd++
		}
	}
	if nd == 0 {
		return es, tmp
	}
	var counts [16][256]int
	for i := range es {
		for _, dg := range digits[:nd] {
			counts[dg][digitOf(&es[i], dg)]++
		}
	}
	src, dst := es, tmp
	for _, dg := range digits[:nd] {
		c := &counts[dg]
		sum := 0
		for i := range c {
			c[i], sum = sum, sum+c[i]
		}
		if dg < 8 {
			shift := 8 * dg
			for i := range src {
				k := src[i].id.Lo >> shift & 0xFF
				dst[c[k]] = src[i]
				c[k]++
			}
		} else {
			shift := 8 * (dg - 8)
			for i := range src {
				k := src[i].id.Hi >> shift & 0xFF
				dst[c[k]] = src[i]
				c[k]++
			}
		}
		src, dst = dst, src
	}
	return src, dst
}

// msdMin is the shortest piece radixSort64 first splits on its top
// bits: shorter ones fit in a core's cache as they are.
const msdMin = 1 << 16

// radixSort64 is radixSort for 64-bit IDs. A long piece is first split
// stably on the top 8 bits of each ID's distance from the smallest (most
// significant digit first), into buckets small enough to stay in cache;
// each bucket, or a short piece as it is, is then sorted least
// significant digit first by lsd64.
func radixSort64(es, tmp []narrow) (sorted, spare []narrow) {
	n := len(es)
	if n < msdMin {
		return lsd64(es, tmp)
	}
	lo, hi := es[0].lo, es[0].lo
	for i := range es {
		lo, hi = min(lo, es[i].lo), max(hi, es[i].lo)
	}
	// Buckets by the top 8 bits of the distance from the smallest ID,
	// so that they are as even as the IDs are spread.
	width := bits.Len64(hi - lo)
	if width <= 8 {
		return lsd64(es, tmp)
	}
	shift := uint(width - 8)
	var counts [256]int
	for i := range es {
		counts[(es[i].lo-lo)>>shift]++
	}
	var starts [257]int
	sum := 0
	for i, c := range counts {
		starts[i] = sum
		sum += c
	}
	starts[256] = n
	next := starts
	for i := range es {
		k := (es[i].lo - lo) >> shift
		tmp[next[k]] = es[i]
		next[k]++
	}
	// Each bucket is now sorted in place in tmp, with es as its other
	// buffer; a bucket that ends in es is copied back.
	for b := range 256 {
		from, to := starts[b], starts[b+1]
		if to-from < 2 {
			continue
		}
		got, _ := lsd64(tmp[from:to], es[from:to])
		if &got[0] != &tmp[from] {
			copy(tmp[from:to], got)
		}
	}
	return tmp, es
}

// lsd64 sorts es stably by ID, least significant digit first, using
// tmp (as long as es) as the other buffer; it returns the sorted slice
// and the spare one. A digit is 8 bits starting at the lowest bit that
// varies above the previous digit, so bits that are the same in every ID
// (the top of the timestamp, unused worker bits, the high sequence bits
// in a log) cost nothing: Twitter IDs from a log in buckets of
// radixSort64 take three passes, not the four their varying bytes would.
func lsd64(es, tmp []narrow) (sorted, spare []narrow) {
	if len(es) < 2 {
		return es, tmp
	}
	first := es[0].lo
	var diff uint64
	for i := range es {
		diff |= es[i].lo ^ first
	}
	var shifts [8]uint
	nd := 0
	for d := diff; d != 0; nd++ {
		shifts[nd] = uint(bits.TrailingZeros64(d))
		d &^= 0xFF << shifts[nd]
	}
	var counts [8][256]int
	for i := range es {
		v := es[i].lo
		for d, sh := range shifts[:nd] {
			counts[d][v>>sh&0xFF]++
		}
	}
	src, dst := es, tmp
	for d, shift := range shifts[:nd] {
		c := &counts[d]
		sum := 0
		for i := range c {
			c[i], sum = sum, sum+c[i]
		}
		for i := range src {
			k := src[i].lo >> shift & 0xFF
			dst[c[k]] = src[i]
			c[k]++
		}
		src, dst = dst, src
	}
	return src, dst
}

func digitOf(e *entry, dg uint8) uint64 {
	if dg < 8 {
		return e.id.Lo >> (8 * dg) & 0xFF
	}
	return e.id.Hi >> (8 * (dg - 8)) & 0xFF
}

// A run file holds entries in ID order, each as varints: the difference
// from the previous entry's Hi, then Lo (the difference from the previous
// Lo when Hi did not change), then the line's difference from the
// previous line, zig-zag encoded. Sorted Snowflake IDs from a log take
// about 4 bytes each instead of 24.
type runWriter struct {
	f    io.Writer
	buf  []byte
	prev entry
	size int64
}

func newRunWriter() *runWriter { return &runWriter{buf: make([]byte, 0, 1<<20)} }

// reset starts a new run in f.
func (w *runWriter) reset(f io.Writer) { *w = runWriter{f: f, buf: w.buf[:0]} }

func (w *runWriter) write(e entry) error {
	if len(w.buf) > cap(w.buf)-3*binary.MaxVarintLen64 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	dh := e.id.Hi - w.prev.id.Hi
	w.buf = binary.AppendUvarint(w.buf, dh)
	if dh == 0 {
		w.buf = binary.AppendUvarint(w.buf, e.id.Lo-w.prev.id.Lo)
	} else {
		w.buf = binary.AppendUvarint(w.buf, e.id.Lo)
	}
	w.buf = binary.AppendVarint(w.buf, e.line-w.prev.line)
	w.prev = e
	return nil
}

func (w *runWriter) flush() error {
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("spilling sorted IDs: %w", err)
	}
	return nil
}

type runReader struct {
	f    io.Reader
	buf  []byte
	r, w int
	eof  bool
	prev entry
}

// newRunReader reads a run file of size bytes, with a buffer of at most
// 256 KiB.
func newRunReader(f io.Reader, size int64) *runReader {
	return &runReader{f: f, buf: make([]byte, min(256<<10, max(size, 4<<10)))}
}

var errCorrupt = errors.New("a temporary file of the duplicate check is corrupt")

func (r *runReader) read(e *entry) (bool, error) {
	if r.w-r.r < 3*binary.MaxVarintLen64 && !r.eof {
		n := copy(r.buf, r.buf[r.r:r.w])
		r.r, r.w = 0, n
		for r.w < len(r.buf) && !r.eof {
			m, err := r.f.Read(r.buf[r.w:])
			r.w += m
			if err == io.EOF {
				r.eof = true
			} else if err != nil {
				return false, fmt.Errorf("reading back sorted IDs: %w", err)
			}
		}
	}
	if r.r == r.w {
		return false, nil
	}
	b := r.buf[r.r:r.w]
	dh, n1 := binary.Uvarint(b)
	if n1 <= 0 {
		return false, errCorrupt
	}
	lo, n2 := binary.Uvarint(b[n1:])
	if n2 <= 0 {
		return false, errCorrupt
	}
	dl, n3 := binary.Varint(b[n1+n2:])
	if n3 <= 0 {
		return false, errCorrupt
	}
	r.r += n1 + n2 + n3
	e.id.Hi = r.prev.id.Hi + dh
	if dh == 0 {
		e.id.Lo = r.prev.id.Lo + lo
	} else {
		e.id.Lo = lo
	}
	e.line = r.prev.line + dl
	r.prev = *e
	return true, nil
}
