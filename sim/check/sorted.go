package check

import (
	"runtime"
	"sort"
	"sync"

	"github.com/idsim/idsim/sim/record"
)

// Sortedness says how far out of time order IDs land, which predicts how
// an index over them behaves: an ID that sorts below one issued earlier is
// inserted behind it, and the further back in time that ID was issued, the
// colder the page it lands in.
type Sortedness struct {
	// Window is the resolution, in nanoseconds of true time: IDs issued
	// in the same window are not compared.
	Window int64
	// Late counts IDs smaller than some ID issued in an earlier window.
	Late int64
	// MaxLateness is how far back, at most, the earliest larger ID was
	// issued; P50 and P99 are percentiles over the late IDs. All are
	// multiples of Window.
	MaxLateness, P50, P99 int64
}

// Sort measures sortedness over a run of the given duration (or to the
// last ID, if later), in windows of true time. It makes two passes over
// the record, each spread over the CPUs by log, and holds two IDs per
// window per CPU. A block that keeps its millisecond runs
// (record.Block.Runs) is not decoded in either pass when the windows are
// milliseconds; of another sorted block with long runs, pass 1 keeps the
// first ID of each window's run (at most 1.5 bytes per ID), and pass 2
// decodes it only if one of those is late.
func Sort(logs []*record.Log, window, duration int64) Sortedness {
	s := Sortedness{Window: window}
	// A live run serves the last callers after its duration: widen the
	// windows to the last ID.
	for _, l := range logs {
		for _, b := range l.Blocks() {
			if b.Len() > 0 {
				duration = max(duration, b.Last)
			}
		}
	}
	nw := int(duration/window) + 1
	parts := partLogs(logs)
	// The largest ID of each window, then of each prefix of windows.
	maxes := make([]*windowMax, len(parts))
	firsts := make([]*segments, len(parts))
	each(len(parts), func(p int) {
		m := newWindowMax(nw)
		f := &segments{}
		var d decoded
		var runs []record.Run
		for _, l := range parts[p] {
			for _, b := range l.Blocks() {
				// A block that keeps its runs in these windows needs no
				// decoding: a run's last ID is its largest.
				var ok bool
				if runs, ok = b.Runs(runs[:0]); ok && window == record.RunWindow {
					for _, r := range runs {
						m.add(int(r.Window), 0, r.Last)
					}
					f.skip()
					continue
				}
				d.read(b)
				f.block(b)
				// Times within a block do not decrease: step through the
				// windows instead of dividing for each ID, a window's
				// run of entries at a time.
				w, end := windowOf(b.Base, window)
				for j := 0; j < len(d.ids); {
					for t := d.times[j]; t >= end; end += window {
						w++
					}
					k := j + 1
					for k < len(d.ids) && d.times[k] < end {
						k++
					}
					if b.Sorted {
						// The last ID of the run is its largest.
						m.add(w, d.hi(k-1), d.ids[k-1])
					} else {
						for i := j; i < k; i++ {
							m.add(w, d.hi(i), d.ids[i])
						}
					}
					f.add(w, d.hi(j), d.ids[j])
					j = k
				}
				f.done(b)
			}
		}
		maxes[p], firsts[p] = m, f
	})
	m := maxes[0]
	for _, o := range maxes[1:] {
		for w := range nw {
			if o.seen[w] {
				m.add(w, o.hi[w], o.lo[w])
			}
		}
	}
	for w := 1; w < nw; w++ {
		if m.seen[w-1] {
			m.add(w, m.hi[w-1], m.lo[w-1])
		}
	}
	// before reports whether (hi, lo) is below the largest ID of the
	// windows before w (none is below a window without IDs: its
	// maximum stays 0).
	before := func(w int, hi, lo uint64) bool {
		return w > 0 && (hi < m.hi[w-1] || hi == m.hi[w-1] && lo < m.lo[w-1])
	}
	// An ID in window w is late if it is below the largest ID of windows
	// before w; the prefix maxima only grow, so the first window whose
	// prefix maximum exceeds it is found by binary search.
	hists := make([]map[int64]int64, len(parts))
	each(len(parts), func(p int) {
		hist := map[int64]int64{}
		f := firsts[p]
		var d decoded
		var runs []record.Run
		bi := 0
		for _, l := range parts[p] {
			for _, b := range l.Blocks() {
				var ok bool
				if runs, ok = b.Runs(runs[:0]); ok && window == record.RunWindow {
					late := false
					for _, r := range runs {
						if late = before(int(r.Window), 0, r.First); late {
							break
						}
					}
					if !late {
						bi++
						continue
					}
				}
				// In a sorted block, no ID of a window's run is late if
				// its first is not: pass 1 kept the firsts of blocks
				// with long runs, so most blocks need no decoding.
				late := false
				if f.each(bi, func(s segment) bool {
					late = before(int(s.w), s.hi, s.lo)
					return !late
				}) {
					if !late {
						bi++
						continue
					}
				}
				bi++
				d.read(b)
				w, end := windowOf(b.Base, window)
				for j, lo := range d.ids {
					for t := d.times[j]; t >= end; end += window {
						w++
					}
					hi := d.hi(j)
					if !before(w, hi, lo) {
						continue
					}
					first := sort.Search(w, func(k int) bool {
						return m.seen[k] && (m.hi[k] > hi || m.hi[k] == hi && m.lo[k] > lo)
					})
					hist[int64(w-first)]++
				}
			}
		}
		hists[p] = hist
	})
	hist := map[int64]int64{}
	for _, h := range hists {
		for k, v := range h {
			hist[k] += v
			s.Late += v
		}
	}
	if s.Late == 0 {
		return s
	}
	keys := make([]int64, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var acc int64
	for _, k := range keys {
		acc += hist[k]
		if s.P50 == 0 && acc*2 >= s.Late {
			s.P50 = k * window
		}
		if s.P99 == 0 && acc*100 >= s.Late*99 {
			s.P99 = k * window
		}
	}
	s.MaxLateness = keys[len(keys)-1] * window
	return s
}

// runsPerSummary is the fewest entries per window's run for which pass
// 1 keeps a sorted block's firsts (16 bytes a run): it bounds their
// memory by a byte per entry. A variable so tests can keep every block's.
var runsPerSummary = 16

// segment is the first ID of a window's run of entries in a block.
type segment struct {
	w      int32
	hi, lo uint64
}

// segments holds, block by block in the order pass 1 reads them, the
// firsts of every window's run of each sorted block with long enough
// runs. They are kept in chunks, so that the list grows without copying.
type segments struct {
	chunks [][]segment
	n      int
	// spans[i] is where block i's runs lie in the list, empty for a
	// block without them (a block has at least one run).
	spans [][2]int
	start int
}

// segmentChunk is the number of runs in a chunk.
const segmentChunk = 4096

// block starts the runs of block b.
func (s *segments) block(b *record.Block) { s.start = s.n }

// add records the first ID of a run in window w.
func (s *segments) add(w int, hi, lo uint64) {
	c := s.n / segmentChunk
	if c == len(s.chunks) {
		s.chunks = append(s.chunks, make([]segment, segmentChunk))
	}
	s.chunks[c][s.n%segmentChunk] = segment{int32(w), hi, lo}
	s.n++
}

// skip notes a block whose runs pass 1 did not need.
func (s *segments) skip() { s.spans = append(s.spans, [2]int{}) }

// done keeps block b's runs if it is sorted and they are long enough.
func (s *segments) done(b *record.Block) {
	if runs := s.n - s.start; !b.Sorted || runs*runsPerSummary > b.Len() {
		s.n = s.start
		s.spans = append(s.spans, [2]int{})
		return
	}
	s.spans = append(s.spans, [2]int{s.start, s.n})
}

// each calls fn with the runs kept for block i until it returns false,
// and reports whether the block has them.
func (s *segments) each(i int, fn func(segment) bool) bool {
	sp := s.spans[i]
	for k := sp[0]; k < sp[1]; k++ {
		if !fn(s.chunks[k/segmentChunk][k%segmentChunk]) {
			break
		}
	}
	return sp[1] > sp[0]
}

// decoded is one block read back, in buffers reused from block to block.
type decoded struct {
	ids, his []uint64
	times    []int64
}

// read decodes block b.
func (d *decoded) read(b *record.Block) {
	d.ids = b.AppendIDs(d.ids[:0])
	d.his = b.AppendHis(d.his[:0])
	d.times = b.AppendTimes(d.times[:0])
}

// hi is the high half of ID j (0 in a 64-bit log).
func (d *decoded) hi(j int) uint64 {
	if len(d.his) == 0 {
		return 0
	}
	return d.his[j]
}

// windowOf returns the window holding true time t and where it ends.
func windowOf(t, window int64) (int, int64) {
	w := t / window
	return int(w), (w + 1) * window
}

// windowMax holds the largest ID seen in each window.
type windowMax struct {
	hi, lo []uint64
	seen   []bool
}

func newWindowMax(n int) *windowMax {
	return &windowMax{hi: make([]uint64, n), lo: make([]uint64, n), seen: make([]bool, n)}
}

func (m *windowMax) add(w int, hi, lo uint64) {
	if !m.seen[w] || hi > m.hi[w] || hi == m.hi[w] && lo > m.lo[w] {
		m.hi[w], m.lo[w], m.seen[w] = hi, lo, true
	}
}

// partLogs splits logs into one contiguous group per CPU.
func partLogs(logs []*record.Log) [][]*record.Log {
	n := max(1, min(runtime.GOMAXPROCS(0), len(logs)))
	per := (len(logs) + n - 1) / n
	var parts [][]*record.Log
	for lo := 0; lo < len(logs); lo += per {
		parts = append(parts, logs[lo:min(lo+per, len(logs))])
	}
	if len(parts) == 0 {
		parts = append(parts, nil)
	}
	return parts
}

// each runs fn(0..n-1) on goroutines and waits.
func each(n int, fn func(int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}
