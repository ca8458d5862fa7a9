package check

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/idsim/idsim/sim/record"
	"pgregory.net/rapid"
)

// Tests written to kill mutants that survived the rest of the suite
// (tools/mutate). Each says what it pins down.

// bruteSort is the definition Sort implements, computed the slow way:
// an ID in window w is late if some ID of an earlier window is larger;
// its lateness is w minus the earliest such window.
func bruteSort(logs []*record.Log, window, duration int64) Sortedness {
	type entry struct {
		w      int64
		hi, lo uint64
	}
	var all []entry
	for _, l := range logs {
		for _, b := range l.Blocks() {
			his, times := b.AppendHis(nil), b.AppendTimes(nil)
			for j, lo := range b.AppendIDs(nil) {
				var hi uint64
				if his != nil {
					hi = his[j]
				}
				all = append(all, entry{times[j] / window, hi, lo})
			}
		}
	}
	s := Sortedness{Window: window}
	var lateness []int64
	for _, e := range all {
		first := int64(-1)
		for _, o := range all {
			if o.w < e.w && (o.hi > e.hi || o.hi == e.hi && o.lo > e.lo) && (first < 0 || o.w < first) {
				first = o.w
			}
		}
		if first >= 0 {
			lateness = append(lateness, e.w-first)
		}
	}
	s.Late = int64(len(lateness))
	if s.Late == 0 {
		return s
	}
	slices.Sort(lateness)
	// The smallest lateness reached by half (99%) of the late IDs.
	s.P50 = lateness[(s.Late+1)/2-1] * window
	s.P99 = lateness[(s.Late*99+99)/100-1] * window
	s.MaxLateness = lateness[len(lateness)-1] * window
	return s
}

// Sort agrees with its definition on arbitrary logs of 64- and 128-bit
// IDs, with several workers, windows and gaps, and runs (the duration)
// shorter or longer than the last ID.
func TestPropertySortMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		wide := rapid.Bool().Draw(t, "wide")
		window := rapid.Int64Range(1, 5).Draw(t, "window")
		var logs []*record.Log
		for w := range rapid.IntRange(1, 4).Draw(t, "workers") {
			l := record.New(w)
			if wide {
				l = record.NewWide(w)
			}
			var tm int64
			for range rapid.IntRange(0, 30).Draw(t, "n") {
				tm += rapid.Int64Range(0, 4).Draw(t, "dt")
				lo := rapid.Uint64Range(0, 20).Draw(t, "lo")
				if wide {
					l.Append128(rapid.Uint64Range(0, 2).Draw(t, "hi"), lo, tm)
				} else {
					l.Append(lo, tm)
				}
			}
			logs = append(logs, l)
		}
		duration := rapid.Int64Range(0, 150).Draw(t, "duration")
		if got, want := Sort(logs, window, duration), bruteSort(logs, window, duration); got != want {
			t.Fatalf("Sort = %+v\nwant  %+v", got, want)
		}
	})
}

// Sort agrees with its definition on long, mostly increasing logs, whose
// sealed and sorted blocks have many IDs per window: the blocks pass 2
// skips by their runs' firsts, and the ones it must decode because a
// worker's IDs fall below another's earlier ones.
func TestPropertySortOfIncreasingLogs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		wide := rapid.Bool().Draw(t, "wide")
		window := rapid.Int64Range(1, 20).Draw(t, "window")
		// Or millisecond windows with about 20 IDs each: the blocks
		// keep their runs (record.RunWindow), which Sort reads instead.
		unit := int64(1)
		if rapid.Bool().Draw(t, "ms") {
			window, unit = record.RunWindow, record.RunWindow/20
		}
		var logs []*record.Log
		for w := range rapid.IntRange(1, 4).Draw(t, "workers") {
			l := record.New(w)
			if wide {
				l = record.NewWide(w)
			}
			hi := rapid.Uint64Range(0, 1).Draw(t, "hi")
			id := rapid.Uint64Range(0, 3000).Draw(t, "base")
			var tm int64
			for range rapid.IntRange(0, 700).Draw(t, "n") {
				tm += unit * rapid.Int64Range(0, 2).Draw(t, "dt")
				id += rapid.Uint64Range(1, 4).Draw(t, "step")
				if wide {
					l.Append128(hi, id, tm)
				} else {
					l.Append(id, tm)
				}
			}
			logs = append(logs, l)
		}
		duration := unit * rapid.Int64Range(0, 800).Draw(t, "duration")
		defer func(r int) { runsPerSummary = r }(runsPerSummary)
		runsPerSummary = rapid.SampledFrom([]int{1, 4, 16}).Draw(t, "runsPerSummary")
		if got, want := Sort(logs, window, duration), bruteSort(logs, window, duration); got != want {
			t.Fatalf("Sort = %+v\nwant  %+v", got, want)
		}
	})
}

// Percentiles over many late IDs: 98 IDs late by 1 window, one by 10
// and one by 50 make P50 1 window, P99 10 and the maximum 50.
func TestSortPercentiles(t *testing.T) {
	l := record.New(0)
	l.Append(1000, 0)
	for i := range 98 {
		l.Append(uint64(1+i), 1)
	}
	l.Append(500, 10)
	l.Append(600, 50)
	s := Sort([]*record.Log{l}, 1, 60)
	want := Sortedness{Window: 1, Late: 100, MaxLateness: 50, P50: 1, P99: 10}
	if s != want {
		t.Errorf("Sort = %+v, want %+v", s, want)
	}
}

// Order and Order128: Last reports the previous ID, and the first ID is
// in order whatever its value, including 0.
func TestOrderLast(t *testing.T) {
	var o Order
	if _, ok := o.Last(); ok {
		t.Error("Last ok before any ID")
	}
	if !o.Next(0) || o.Next(0) {
		t.Error("0 then 0: want in order, then a repeat")
	}
	o.Next(7)
	if id, ok := o.Last(); id != 7 || !ok {
		t.Errorf("Last = %d, %v", id, ok)
	}
	var w Order128
	if !w.Next(0, 0) || w.Next(0, 0) || !w.Next(0, 1) || w.Next(0, 0) || !w.Next(1, 0) {
		t.Error("Order128 misorders (0,0) (0,0) (0,1) (0,0) (1,0)")
	}
	if hi, lo, ok := w.Last(); hi != 1 || lo != 0 || !ok {
		t.Errorf("Order128.Last = %d, %d, %v", hi, lo, ok)
	}
}

// Duplicates agrees with brute force, totals included, on logs big
// enough to be cut into many value ranges, with duplicates planted at
// the cuts, in sorted and unsorted blocks, of the IDs 0 and MaxUint64.
func TestDuplicatesAtTheCuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var logs []*record.Log
	var ids []uint64
	for w := range 6 {
		l := record.New(w)
		x := uint64(w) << 20
		for i := range 40_000 {
			if w%2 == 0 {
				x += 1 + uint64(rng.IntN(3)) // sorted blocks
			} else {
				x = rng.Uint64N(1 << 24) // unsorted
			}
			l.Append(x, int64(i))
			ids = append(ids, x)
		}
		logs = append(logs, l)
	}
	// Both sides of every cut, in a sorted block and in an unsorted one,
	// and the extremes. The planted IDs move the cuts a little: plant
	// again until they sit on the cuts of the whole record.
	base := logs
	var c, planted []uint64
	for try := 0; ; try++ {
		if try == 20 {
			t.Fatal("the cuts do not settle")
		}
		sorted, extra := record.New(6), record.New(7)
		planted = planted[:0]
		for _, v := range c {
			planted = append(planted, v-1, v)
		}
		for i, v := range planted {
			sorted.Append(v, int64(i))
		}
		for i, v := range append(planted, 0, 0, ^uint64(0), ^uint64(0)) {
			extra.Append(v, int64(i))
		}
		logs = append(base[:len(base):len(base)], sorted, extra)
		next := cuts(blocksOf(logs), int64(len(ids)+2*len(planted)+4))
		if slices.Equal(next, c) {
			break
		}
		c = next
	}
	if len(c) < 4 {
		t.Fatalf("only %d cuts", len(c))
	}
	got, want := Duplicates(logs), bruteDuplicates(logs)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %d groups, want %d", len(got), len(want))
	}
	var extraCopies int
	for _, d := range got {
		extraCopies += d.Extra()
	}
	if extraCopies < len(planted)+2 {
		t.Fatalf("%d extra copies, want at least the %d planted at the cuts and extremes", extraCopies, len(planted)+2)
	}
}

func blocksOf(logs []*record.Log) []*record.Block {
	var out []*record.Block
	for _, l := range logs {
		out = append(out, l.Blocks()...)
	}
	return out
}

// Many one-ID logs: more blocks than samples, so the sampling steps
// across block boundaries one ID at a time; the answer is still exact.
func TestDuplicatesManyTinyLogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var logs []*record.Log
	for w := range 70_000 {
		l := record.New(w)
		l.Append(rng.Uint64(), int64(w))
		logs = append(logs, l)
	}
	twin := record.New(70_000)
	twin.Append(logs[123].Blocks()[0].AppendIDs(nil)[0], 80_000)
	logs = append(logs, twin)
	got := Duplicates(logs)
	if len(got) != 1 || got[0].Extra() != 1 || got[0].Occurrences[0].Worker != 123 || got[0].Occurrences[1].Worker != 70_000 {
		t.Fatalf("got %+v, want worker 70000 repeating worker 123's ID", got)
	}
}

// One value repeated so often that several range cuts fall on it, in an
// unsorted block, and once in a sorted block: every copy is counted.
func TestDuplicatesHeavyRepeatAtACut(t *testing.T) {
	const v = 100_000
	a, b := record.New(0), record.New(1)
	for i := uint64(1); i <= 200_000; i++ {
		a.Append(i, int64(i))
	}
	for i := range 100_000 {
		b.Append(v, int64(i))
	}
	got := Duplicates([]*record.Log{a, b})
	if len(got) != 1 || got[0].ID != v || got[0].Extra() != 100_000 {
		n := 0
		for _, d := range got {
			n += d.Extra()
		}
		t.Fatalf("%d duplicate values with %d extra copies, want %d once with 100000 extra copies", len(got), n, v)
	}
}

// Two workers issue the same sorted IDs: every value is a duplicate,
// in blocks that straddle the range cuts. Each is reported once, with
// both occurrences.
func TestDuplicatesTwinSortedLogs(t *testing.T) {
	a, b := record.New(0), record.New(1)
	for i := uint64(1); i <= 100_000; i++ {
		a.Append(i*3, int64(i))
		b.Append(i*3, int64(i))
	}
	got := Duplicates([]*record.Log{a, b})
	if len(got) != 100_000 {
		t.Fatalf("%d duplicate values, want 100000", len(got))
	}
	for i, d := range got {
		if d.ID != uint64(i+1)*3 || len(d.Occurrences) != 2 {
			t.Fatalf("duplicate %d: %+v", i, d)
		}
	}
}

// The checkers read GOMAXPROCS to size their pools and leave it alone.
func TestCheckersLeaveGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	rng := rand.New(rand.NewPCG(13, 14))
	narrow, _ := snowflakeLike(4, 20_000, rng, 10)
	Duplicates(narrow)
	wide := []*record.Log{record.NewWide(0), record.NewWide(1)}
	for i := range 70_000 {
		wide[i%2].Append128(rng.Uint64(), rng.Uint64(), int64(i))
	}
	Duplicates(wide)
	Sort(narrow, 1000, 20_000_000)
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Fatalf("GOMAXPROCS is %d after the checkers, want the 3 it was", n)
	}
}

// Two different 128-bit IDs with the same 64-bit key are a hash
// collision, not a duplicate.
func TestWideHashCollisionIsNoDuplicate(t *testing.T) {
	const x = 0x0123456789abcdef
	if wideKey(0, x) != wideKey(1, x^0x9E3779B97F4A7C15) {
		t.Fatal("the planted pair does not collide")
	}
	l := record.NewWide(0)
	l.Append128(0, x, 0)
	l.Append128(1, x^0x9E3779B97F4A7C15, 1)
	l.Append128(2, 2, 2)
	l.Append128(2, 2, 3)
	got := Duplicates([]*record.Log{l})
	if len(got) != 1 || got[0].Hi != 2 || got[0].ID != 2 || got[0].Extra() != 1 {
		t.Fatalf("got %+v, want only (2, 2) twice", got)
	}
}

// Sort of no logs measures nothing late.
func TestSortNoLogs(t *testing.T) {
	if s := Sort(nil, 10, 100); s != (Sortedness{Window: 10}) {
		t.Errorf("Sort(nil) = %+v", s)
	}
}

// A worker's block that keeps its runs, then one of its blocks whose IDs
// all fall below another worker's earlier one: pass 2 checks each block
// by its own runs, so the second is decoded and its IDs after that window found late.
func TestSortChecksEachBlockByItsOwnRuns(t *testing.T) {
	for _, summaries := range []int{16, 1} {
		defer func(r int) { runsPerSummary = r }(runsPerSummary)
		runsPerSummary = summaries
		a, b := record.New(0), record.New(1)
		id := uint64(1000)
		for i := range 256 + 100 {
			a.Append(id, int64(i)*record.RunWindow/20)
			id++
		}
		// 256 entries of a fill 12.8 windows; b issues a far larger ID
		// in the window before the next block's.
		b.Append(1_000_000, 12*record.RunWindow+record.RunWindow/2)
		if _, ok := a.Blocks()[0].Runs(nil); !ok {
			t.Fatal("the first block keeps no runs")
		}
		s := Sort([]*record.Log{a, b}, record.RunWindow, 20*record.RunWindow)
		want := bruteSort([]*record.Log{a, b}, record.RunWindow, 20*record.RunWindow)
		if s != want || s.Late < 90 {
			t.Errorf("runsPerSummary %d: Sort = %+v, want %+v", summaries, s, want)
		}
	}
}

// The blocks of one partition in a row: one that keeps its runs (not
// late), a worker's unsealed block with long runs (not late), then
// another worker's sorted block below both: each block is checked by
// its own runs or firsts, so the last one's 100 IDs are all late.
func TestSortKeepsEachBlocksFirsts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one partition
	a, z := record.New(0), record.New(1)
	for i := range 256 + 100 {
		a.Append(uint64(1000+i), int64(i)*record.RunWindow/20)
	}
	for i := range 100 {
		z.Append(uint64(500+i), 20*record.RunWindow+int64(i)*record.RunWindow/20)
	}
	logs := []*record.Log{a, z}
	s := Sort(logs, record.RunWindow, 30*record.RunWindow)
	if want := bruteSort(logs, record.RunWindow, 30*record.RunWindow); s != want || s.Late != 100 {
		t.Errorf("Sort = %+v, want %+v (100 late)", s, want)
	}
}

// Sort agrees with its definition on logs mixing every kind of block a
// partition holds in a row — dense increasing ones that keep their runs,
// sparse ones whose firsts are not kept, ones whose IDs drop — all read
// by one goroutine, so that each block must be checked by its own runs
// or firsts.
func TestPropertySortOfMixedBlocks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one partition
	rapid.Check(t, func(t *rapid.T) {
		// Millisecond windows of about 20 IDs each, or windows of a few
		// units of time at the same scale.
		window, unit := record.RunWindow, record.RunWindow/20
		if rapid.Bool().Draw(t, "small windows") {
			window, unit = rapid.Int64Range(1, 20).Draw(t, "window"), 1
		}
		var logs []*record.Log
		for w := range rapid.IntRange(1, 3).Draw(t, "workers") {
			l := record.New(w)
			id := rapid.Uint64Range(0, 3000).Draw(t, "base")
			// Per thousand entries: drops, and sparse gaps.
			drops := rapid.SampledFrom([]int{0, 3, 20}).Draw(t, "drops")
			gaps := drops + rapid.SampledFrom([]int{0, 10, 700}).Draw(t, "gaps")
			var tm int64
			for range rapid.IntRange(0, 600).Draw(t, "n") {
				switch k := rapid.IntRange(0, 999).Draw(t, "kind"); {
				case k < drops: // the ID drops
					id -= min(id, rapid.Uint64Range(1, 3000).Draw(t, "drop"))
				case k < gaps: // a sparse stretch
					tm += 60 * unit
					id += 5
				default:
					tm += unit * rapid.Int64Range(0, 2).Draw(t, "dt")
					id += rapid.Uint64Range(1, 4).Draw(t, "step")
				}
				l.Append(id, tm)
			}
			logs = append(logs, l)
		}
		duration := rapid.Int64Range(0, 600*unit).Draw(t, "duration")
		defer func(r int) { runsPerSummary = r }(runsPerSummary)
		runsPerSummary = rapid.SampledFrom([]int{1, 4, 16}).Draw(t, "runsPerSummary")
		if got, want := Sort(logs, window, duration), bruteSort(logs, window, duration); got != want {
			t.Fatalf("Sort = %+v\nwant  %+v", got, want)
		}
	})
}

// A dense block whose IDs drop below the last window's largest in the
// middle of a window and climb back before it ends: the window's first
// ID is not late, five after it are. An unsorted block is decoded
// whatever its firsts say.
func TestSortDecodesUnsortedBlocks(t *testing.T) {
	for _, summaries := range []int{16, 1} {
		defer func(r int) { runsPerSummary = r }(runsPerSummary)
		runsPerSummary = summaries
		l := record.New(0)
		id := uint64(1000)
		for i := range 300 {
			switch {
			case i == 130:
				id -= 50
			case i == 135:
				id += 100
			default:
				id++
			}
			l.Append(id, int64(i)*record.RunWindow/20)
		}
		logs := []*record.Log{l}
		s := Sort(logs, record.RunWindow, 20*record.RunWindow)
		if want := bruteSort(logs, record.RunWindow, 20*record.RunWindow); s != want || s.Late != 5 {
			t.Errorf("runsPerSummary %d: Sort = %+v, want %+v (5 late)", summaries, s, want)
		}
	}
}

// One partition's blocks: a late one whose firsts are kept, a sparse one
// whose are not, then one whose firsts are kept and not late. Each
// block's firsts are its own: the sparse block's are dropped without
// touching the first's, and the first is decoded and found late.
func TestSortDropsOnlyTheSparseBlocksFirsts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one partition
	const ms = record.RunWindow
	w, a, b, c := record.New(0), record.New(1), record.New(2), record.New(3)
	w.Append(1_000_000, 0) // the largest ID, in window 0
	for i := range 100 {   // late: 5 runs of 20, below it
		a.Append(uint64(1000+i), ms+int64(i)*ms/20)
	}
	for i := range 5 { // sparse: one ID a window
		b.Append(uint64(2_000_000+i), int64(10+i)*ms)
	}
	for i := range 100 { // not late: above everything before
		c.Append(uint64(3_000_000+i), 20*ms+int64(i)*ms/20)
	}
	logs := []*record.Log{w, a, b, c}
	s := Sort(logs, ms, 30*ms)
	if want := bruteSort(logs, ms, 30*ms); s != want || s.Late != 100 {
		t.Errorf("Sort = %+v, want %+v (100 late)", s, want)
	}
}

// Firsts kept up to exactly the end of a chunk of them (3,840 + 256 =
// 4,096, one entry a window): the last block reads its own and no
// further.
func TestSortFirstsToAChunksEnd(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one partition
	defer func(r int) { runsPerSummary = r }(runsPerSummary)
	runsPerSummary = 1
	a, b := record.New(0), record.New(1)
	for i := range 3840 {
		a.Append(uint64(10_000+i), int64(i))
	}
	for i := range 256 {
		b.Append(uint64(20_000+i), int64(4000+i))
	}
	if segmentChunk != 4096 {
		t.Fatalf("the test assumes chunks of 4096 firsts, not %d", segmentChunk)
	}
	logs := []*record.Log{a, b}
	if s := Sort(logs, 1, 5000); s.Late != 0 {
		t.Errorf("Sort = %+v, want none late", s)
	}
}
