package record

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// entry is what a test appended.
type entry struct {
	hi, lo uint64
	t      int64
}

// decode reads a log back block by block, checking each block's
// bookkeeping against its entries.
func decode(t *testing.T, l *Log) []entry {
	t.Helper()
	var out []entry
	for bi, b := range l.Blocks() {
		ids := b.AppendIDs(nil)
		his := b.AppendHis(nil)
		times := b.AppendTimes(nil)
		if len(ids) != b.Len() || len(times) != b.Len() || l.Wide() && len(his) != b.Len() || !l.Wide() && len(his) != 0 {
			t.Fatalf("block %d: %d ids, %d highs, %d times for %d entries", bi, len(ids), len(his), len(times), b.Len())
		}
		if b.Start != int64(len(out)) {
			t.Fatalf("block %d starts at %d, want %d", bi, b.Start, len(out))
		}
		sorted := true
		for j := range ids {
			e := entry{lo: ids[j], t: times[j]}
			key := ids[j]
			if l.Wide() {
				e.hi, key = his[j], his[j]
			}
			if key < b.Min || key > b.Max {
				t.Fatalf("block %d: %d outside its bounds [%d, %d]", bi, key, b.Min, b.Max)
			}
			if j > 0 {
				p := out[len(out)-1]
				if e.hi < p.hi || e.hi == p.hi && e.lo <= p.lo {
					sorted = false
				}
			}
			out = append(out, e)
		}
		if b.Len() > 0 && (b.Base != times[0] || b.Last != times[len(times)-1]) {
			t.Fatalf("block %d: base %d last %d, times %d..%d", bi, b.Base, b.Last, times[0], times[len(times)-1])
		}
		if b.Sorted != sorted {
			t.Fatalf("block %d: Sorted %v, entries sorted %v", bi, b.Sorted, sorted)
		}
		// Runs, when a block keeps them, are its entries' windows.
		if runs, ok := b.Runs(nil); ok {
			var want []Run
			for j, id := range ids {
				w := times[j] / RunWindow
				if j == 0 || want[len(want)-1].Window != w {
					want = append(want, Run{Window: w, First: id})
				}
				want[len(want)-1].Last = id
			}
			if !slices.Equal(runs, want) {
				t.Fatalf("block %d: runs %v, want %v", bi, runs, want)
			}
			if !b.Sorted || l.Wide() || !b.sealed || len(runs)*runEvery > b.Len() {
				t.Fatalf("block %d keeps %d runs for %d entries (sorted %v, wide %v, sealed %v)", bi, len(runs), b.Len(), b.Sorted, l.Wide(), b.sealed)
			}
		}
		// A sealed sorted block has a restart point every restartEvery
		// entries, at the ID it names.
		if b.sealed && b.Sorted && !l.Wide() {
			if want := (b.Len() - 1) / restartEvery; len(b.restarts) != want {
				t.Fatalf("block %d: %d restart points for %d entries, want %d", bi, len(b.restarts), b.Len(), want)
			}
			for k, rs := range b.restarts {
				if id := ids[(k+1)*restartEvery]; rs.v != id {
					t.Fatalf("block %d: restart %d names %d, entry %d is %d", bi, k, rs.v, (k+1)*restartEvery, id)
				}
			}
		}
	}
	return out
}

// fill appends n entries made by next to a new log and returns both.
func fill(wide bool, n int, next func(i int) entry) (*Log, []entry) {
	l := New(3)
	if wide {
		l = NewWide(3)
	}
	var want []entry
	for i := range n {
		e := next(i)
		if wide {
			l.Append128(e.hi, e.lo, e.t)
		} else {
			l.Append(e.lo, e.t)
		}
		want = append(want, e)
	}
	return l, want
}

// TestRoundTrip appends entries of every shape a log must store —
// increasing, repeating, decreasing, random 64-bit values, extremes,
// time gaps longer than a 32-bit offset — and reads them back, after
// every few appends as well as at the end (the current block is read
// from the fill buffer, sealed ones from their encoding).
func TestRoundTrip(t *testing.T) {
	shapes := map[string]func(r *rand.Rand, i int, prev entry) entry{
		"snowflake": func(r *rand.Rand, i int, p entry) entry {
			d := uint64(1)
			if r.IntN(100) == 0 {
				d = 1<<22 - uint64(r.IntN(4096))
			}
			return entry{lo: p.lo + d, t: p.t + int64(r.ExpFloat64()*10_000)}
		},
		"steps-back": func(r *rand.Rand, i int, p entry) entry {
			lo := p.lo + uint64(r.IntN(3))
			if r.IntN(500) == 0 {
				lo -= 1 << 30
			}
			return entry{lo: lo, t: p.t + int64(r.IntN(3))}
		},
		"random": func(r *rand.Rand, i int, p entry) entry {
			return entry{hi: r.Uint64(), lo: r.Uint64(), t: p.t + int64(r.IntN(1_000_000))}
		},
		"extremes": func(r *rand.Rand, i int, p entry) entry {
			v := []uint64{0, 1, math.MaxUint64, math.MaxUint64 - 1, 1 << 63}[r.IntN(5)]
			return entry{hi: v, lo: v ^ 1, t: p.t}
		},
		"gaps": func(r *rand.Rand, i int, p entry) entry {
			dt := int64(r.IntN(50))
			if r.IntN(700) == 0 {
				dt = math.MaxUint32 + int64(r.IntN(3))
			}
			return entry{hi: p.hi + uint64(r.IntN(2)), lo: p.lo + 1, t: p.t + dt}
		},
	}
	for name, shape := range shapes {
		for _, wide := range []bool{false, true} {
			r := rand.New(rand.NewPCG(7, uint64(len(name))))
			prev := entry{lo: 1 << 40, t: 1_000}
			l := New(0)
			if wide {
				l = NewWide(0)
			}
			var want []entry
			for i := range 20_000 {
				e := shape(r, i, prev)
				if !wide {
					e.hi = 0
				}
				prev = e
				if wide {
					l.Append128(e.hi, e.lo, e.t)
				} else {
					l.Append(e.lo, e.t)
				}
				want = append(want, e)
				if i%4999 == 0 || i == 19_999 {
					if got := decode(t, l); !slices.Equal(got, want) {
						t.Fatalf("%s wide=%v: read back differs after %d appends", name, wide, i+1)
					}
				}
			}
			if l.Len() != int64(len(want)) {
				t.Fatalf("%s: Len %d", name, l.Len())
			}
			n := 0
			l.Each(func(i int64, id uint64, tt int64) bool {
				if i != int64(n) || id != want[n].lo || tt != want[n].t {
					t.Fatalf("%s: Each entry %d: (%d, %d, %d)", name, n, i, id, tt)
				}
				n++
				return n < 12_345
			})
			if n != 12_345 {
				t.Fatalf("%s: Each did not stop: %d", name, n)
			}
		}
	}
}

// TestAppendRange compares AppendRange with filtering every ID, for
// ranges starting and ending at, between and around restart points, in
// sealed and unsealed, sorted and unsorted blocks.
func TestAppendRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, shape := range []string{"sorted", "unsorted", "runs"} {
		sorted := shape != "unsorted"
		v := uint64(1000)
		l, _ := fill(false, 5_000, func(i int) entry {
			if shape == "runs" {
				// A busy Snowflake worker: one more, mostly (runs of
				// order-0 zeros longer than a write, across restart
				// points), sometimes the next millisecond.
				v++
				if r.IntN(150) == 0 {
					v += 1 << 22
				}
				return entry{lo: v, t: int64(i)}
			}
			v := uint64(1000 + 3*i + r.IntN(3))
			if !sorted && i%777 == 0 {
				v -= 500
			}
			return entry{lo: v, t: int64(i)}
		})
		for _, b := range l.Blocks() {
			ids := b.AppendIDs(nil)
			for range 300 {
				lo := b.Min - 5 + uint64(r.Int64N(int64(b.Max-b.Min)+10))
				hi := lo + uint64(r.IntN(800)) - 3
				if r.IntN(10) == 0 {
					hi = math.MaxUint64
				}
				var want []uint64
				for _, id := range ids {
					if id >= lo && id <= hi {
						want = append(want, id)
					}
				}
				got := b.AppendRange([]uint64{42}, lo, hi)
				if got[0] != 42 || !slices.Equal(got[1:], want) {
					t.Fatalf("%s block at %d [%d, %d]: got %d IDs, want %d", shape, b.Start, lo, hi, len(got)-1, len(want))
				}
			}
		}
	}
}

// TestCompact holds the record of a Snowflake worker at 100,000 IDs/s
// (one ID more, or the next millisecond, with exponential gaps of
// true time) to at most 2.6 bytes per ID, fill buffer and runs
// included (2.44 without runs).
func TestCompact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var id uint64 = 1 << 50
	var tm, ms int64
	l := New(0)
	for range 1_000_000 {
		tm += int64(r.ExpFloat64() * 10_000)
		if tm/1e6 != ms {
			id += uint64(tm/1e6-ms)<<22 - id&4095
			ms = tm / 1e6
		} else {
			id++
		}
		l.Append(id, tm)
	}
	if per := float64(l.Bytes()) / float64(l.Len()); per > 2.6 {
		t.Errorf("%.2f bytes per entry, want at most 2.6", per)
	} else {
		t.Logf("%.2f bytes per entry", per)
	}
}

func BenchmarkAppend(b *testing.B) {
	l := New(0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.Append(uint64(i), int64(i)*50)
	}
	b.ReportMetric(float64(l.Bytes())/float64(l.Len()), "B/ID")
}

func BenchmarkAppendIDs(b *testing.B) {
	l := New(0)
	for i := range 1 << 20 {
		l.Append(uint64(i)+uint64(i/100)<<22, int64(i)*10_000)
	}
	var buf []uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, bl := range l.Blocks() {
			buf = bl.AppendIDs(buf[:0])
		}
	}
	b.ReportMetric(float64(b.N)*float64(l.Len())/b.Elapsed().Seconds(), "ids/s")
}

func TestWide(t *testing.T) {
	l := NewWide(2)
	for i := 0; i < 3000; i++ {
		l.Append128(uint64(i/10), uint64(i%10), int64(i))
	}
	l.Append128(0, 0, 5000) // a repeat breaks the order of the last block
	blocks := l.Blocks()
	n := 0
	for bi, b := range blocks {
		his, los, times := b.AppendHis(nil), b.AppendIDs(nil), b.AppendTimes(nil)
		for j := range los {
			i := int(b.Start) + j
			if i < 3000 && (his[j] != uint64(i/10) || los[j] != uint64(i%10) || times[j] != int64(i)) {
				t.Fatalf("entry %d: %d/%d at %d", i, his[j], los[j], times[j])
			}
			n++
		}
		if last := bi == len(blocks)-1; b.Sorted == last {
			t.Errorf("block %d sorted=%v", bi, b.Sorted)
		}
	}
	if n != 3001 || l.Len() != 3001 || !l.Wide() {
		t.Errorf("%d entries", n)
	}
	if New(0).Wide() {
		t.Error("New is wide")
	}
}

func BenchmarkAppendTimes(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	l := New(0)
	var tm int64
	for i := range 1 << 20 {
		tm += int64(r.ExpFloat64() * 10_000)
		l.Append(uint64(i)+uint64(i/100)<<22, tm)
	}
	var buf []int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, bl := range l.Blocks() {
			buf = bl.AppendTimes(buf[:0])
		}
	}
	b.ReportMetric(float64(b.N)*float64(l.Len())/b.Elapsed().Seconds(), "ids/s")
}

// A busy Snowflake worker's sealed blocks keep their runs; a worker with
// an ID every few milliseconds, or IDs that do not increase, keeps none.
func TestRuns(t *testing.T) {
	for _, c := range []struct {
		name string
		gap  int64 // ns between IDs
		back bool
		want bool
	}{
		{"busy", 10_000, false, true},
		{"sparse", 3_000_000, false, false},
		{"unsorted", 10_000, true, false},
	} {
		var id uint64 = 1 << 40
		l, _ := fill(false, 10_000, func(i int) entry {
			id++
			if c.back && i%100 == 99 {
				id -= 5
			}
			return entry{lo: id, t: int64(i) * c.gap}
		})
		kept := 0
		blocks := l.Blocks()
		for _, b := range blocks {
			if _, ok := b.Runs(nil); ok {
				kept++
			}
		}
		sealed := len(blocks) - 1
		if c.want && kept != sealed || !c.want && kept != 0 {
			t.Errorf("%s: %d of %d sealed blocks keep runs", c.name, kept, sealed)
		}
		decode(t, l)
	}
}

// A block keeps its runs up to the bounds of their bytes: exactly one run
// per runEvery entries, a run's first ID 2^32-1 above the block's and a
// run 2^32-1 wide; one run more, or one more, and it keeps none. Nor
// does a block before time 0.
func TestRunsBounds(t *testing.T) {
	// block seals a 256-entry first block of the given runs (each a
	// window's worth of consecutive IDs, then a jump) and reports
	// whether it keeps them.
	block := func(base int64, runs int, jump func(r int) uint64, last func(r int) uint64) bool {
		l := New(0)
		id := uint64(1 << 20)
		per := 256 / runs
		for i := range 256 {
			r := min(i/per, runs-1)
			if i > 0 && r != min((i-1)/per, runs-1) {
				id += jump(r)
			} else if i > 0 {
				id++
			}
			if i == 255 || min((i+1)/per, runs-1) != r {
				id += last(r)
			}
			l.Append(id, base+int64(r)*RunWindow)
		}
		l.Append(id+1, base+int64(runs)*RunWindow) // seals the block
		b := l.Blocks()[0]
		if !b.sealed || b.Len() != 256 {
			t.Fatalf("block of %d entries, sealed %v", b.Len(), b.sealed)
		}
		decode(t, l)
		_, ok := b.Runs(nil)
		return ok
	}
	small := func(int) uint64 { return 1 }
	none := func(int) uint64 { return 0 }
	if !block(0, 16, small, none) {
		t.Error("16 runs of 16: none kept")
	}
	if block(0, 17, small, none) {
		t.Error("17 runs in 256 entries: kept")
	}
	// The last run: its first ID 239 + d above the block's first, and
	// then its last 15 + d above its first.
	at15 := func(d uint64) func(int) uint64 {
		return func(r int) uint64 {
			if r == 15 {
				return d
			}
			return 0
		}
	}
	plus1 := func(d uint64) func(int) uint64 {
		return func(r int) uint64 { return 1 + at15(d)(r) }
	}
	if !block(0, 16, plus1(1<<32-1-239-1), none) {
		t.Error("a run 2^32-1 above the block's first: none kept")
	}
	if block(0, 16, plus1(1<<32-239-1), none) {
		t.Error("a run 2^32 above the block's first: kept")
	}
	if !block(0, 16, small, at15(1<<32-1-15)) {
		t.Error("the last run 2^32-1 wide: none kept")
	}
	if block(0, 16, small, at15(1<<32-15)) {
		t.Error("the last run 2^32 wide: kept")
	}
	if block(-100*RunWindow, 16, small, none) {
		t.Error("a block before time 0 kept runs")
	}
}
