package record

import "math"

// A sealed block of strictly increasing 64-bit IDs whose entries come
// many to a millisecond (a busy time-ordered worker) also keeps its runs:
// for each window of RunWindow nanoseconds of true time it has entries
// in, the first and last ID. A checker that compares IDs across windows
// (check.Sort) reads them instead of decoding the block. They cost 12
// bytes a run and are kept only when the block has at least runEvery
// entries per run, so at most a byte per entry (0.12 at 100 IDs per
// millisecond).
const (
	// RunWindow is the width of the windows a block's runs cover: a
	// millisecond of true time.
	RunWindow = int64(1_000_000)
	runEvery  = 16
)

// Run is a block's entries in one window of RunWindow.
type Run struct {
	// Window is the window's index: true time / RunWindow.
	Window int64
	// First and Last are the run's first and last IDs (its smallest and
	// largest, since the block's IDs increase).
	First, Last uint64
}

// run is a Run as a block keeps it: its first ID less the block's
// first, its last less its first, and how many windows it comes after
// the previous run's (after the block's first window, for the first).
type run struct {
	off, spans, dw uint32
}

// Runs appends the block's runs to dst, in order, and reports whether
// the block keeps them. The last block of a log, while it is filling,
// keeps none.
func (b *Block) Runs(dst []Run) ([]Run, bool) {
	if len(b.runs) == 0 {
		return dst, false
	}
	w := b.Base / RunWindow
	for _, r := range b.runs {
		w += int64(r.dw) // 0 for the first run
		first := b.first + uint64(r.off)
		dst = append(dst, Run{Window: w, First: first, Last: first + uint64(r.spans)})
	}
	return dst, true
}

// sealRuns computes the runs of the n > 0 entries of the fill buffer, a
// sorted 64-bit block starting at true time base, into the log's
// scratch, and returns them if the block should keep them.
func (l *Log) sealRuns(n int, base int64) []run {
	if base < 0 {
		return nil // windows are counted from time 0
	}
	rs := l.runScratch[:0]
	w := base / RunWindow
	end := (w + 1) * RunWindow
	rs = append(rs, run{})
	start := 0
	for i := 1; i < n; i++ {
		t := base + int64(l.offs[i])
		if t < end {
			continue
		}
		if len(rs)*runEvery > n {
			l.runScratch = rs
			return nil // runs too short to be worth their bytes
		}
		// A block spans less than 2^32 ns (its time offsets are 32-bit),
		// so dw fits; and a run is narrower than the next one's offset,
		// so its width fits if that does.
		nw := t / RunWindow
		span, dw, off := l.ids[i-1]-l.ids[start], nw-w, l.ids[i]-l.ids[0]
		if off > math.MaxUint32 {
			l.runScratch = rs
			return nil
		}
		rs[len(rs)-1].spans = uint32(span)
		rs = append(rs, run{off: uint32(off), dw: uint32(dw)})
		w, end, start = nw, (nw+1)*RunWindow, i
	}
	span := l.ids[n-1] - l.ids[start]
	l.runScratch = rs
	if len(rs)*runEvery > n || span > math.MaxUint32 {
		return nil
	}
	rs[len(rs)-1].spans = uint32(span)
	return rs
}
