package audit

// Tests of the fast paths: decimal lines read in the buffer, 64-bit IDs
// in narrow pieces with their own radix sort, and the spilling merge
// against the in-memory one on a log of realistic size.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
)

// TestRadixSort64Stable holds radixSort64 to slices.SortStableFunc, on
// IDs that differ in a few bytes or in all of them.
func TestRadixSort64Stable(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 312 {
		n := rng.IntN(3000)
		if trial >= 300 { // long enough to be split on the top bits first
			n = msdMin + rng.IntN(3*msdMin)
		}
		es := make([]narrow, n)
		mask := rng.Uint64() // the bits that vary in this trial
		switch trial % 5 {
		case 0:
			mask = ^uint64(0)
		case 1:
			mask >>= 56 // at most 8 bits: no split on the top bits
		case 2:
			mask >>= rng.IntN(64)
		}
		base := rng.Uint64()
		skew := trial%7 == 0 // most IDs in one bucket of the split, a few far away
		for i := range es {
			es[i] = narrow{base ^ rng.Uint64()&mask, int64(i)}
			if skew && rng.IntN(1000) != 0 {
				es[i].lo = base ^ rng.Uint64()&0xFFFF
			}
			if i > 0 && rng.IntN(3) == 0 {
				es[i].lo = es[rng.IntN(i)].lo
			}
		}
		want := slices.Clone(es)
		slices.SortStableFunc(want, func(a, b narrow) int {
			switch {
			case a.lo < b.lo:
				return -1
			case a.lo > b.lo:
				return 1
			}
			return 0
		})
		got, spare := radixSort64(es, make([]narrow, n))
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: radix sort of %d entries (mask %x) differs", trial, n, mask)
		}
		if len(spare) != n || n > 0 && &spare[0] == &got[0] {
			t.Fatalf("trial %d: the spare buffer is not the other one", trial)
		}
	}
}

// TestRadixSort64OneBit sorts IDs that differ in one bit of one byte,
// for every byte: that byte's pass must not be skipped, whichever bit,
// and whichever value the first entry has.
func TestRadixSort64OneBit(t *testing.T) {
	for b := range 8 {
		for _, bit := range []uint{0, 7} {
			one := uint64(1) << (8*uint(b) + bit)
			for _, base := range []uint64{0, ^uint64(0) &^ one} {
				hi := base | one
				es := []narrow{{hi, 1}, {base, 2}, {hi, 3}, {base, 4}}
				want := []narrow{{base, 2}, {base, 4}, {hi, 1}, {hi, 3}}
				if got, _ := radixSort64(es, make([]narrow, 4)); !slices.Equal(got, want) {
					t.Errorf("byte %d bit %d base %x: %v, want %v", b, bit, base, got, want)
				}
				es = []narrow{{hi, 1}, {base, 2}}
				if got, _ := radixSort64(es, make([]narrow, 2)); !slices.Equal(got, []narrow{{base, 2}, {hi, 1}}) {
					t.Errorf("two entries, byte %d bit %d: %v", b, bit, got)
				}
				es = []narrow{{base, 1}, {hi, 2}, {base, 3}} // first entry below
				if got, _ := radixSort64(es, make([]narrow, 3)); !slices.Equal(got, []narrow{{base, 1}, {base, 3}, {hi, 2}}) {
					t.Errorf("first entry low, byte %d bit %d: %v", b, bit, got)
				}
			}
		}
	}
}

// TestMixedWidthPieces: 64-bit and 128-bit IDs interleaved go to pieces
// of their own widths, and every duplicate of either is still found,
// in memory and spilled, whatever the piece and chunk sizes, and when
// the runs in memory are merged as two halves (the examples, however
// few are kept, still the first in ID order).
func TestMixedWidthPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for trial := range 30 {
		n := 1 + rng.IntN(2000)
		var b strings.Builder
		byLine := map[int64]ID{}
		var ids []ID
		for i := range n {
			var id ID
			switch {
			case i > 0 && rng.IntN(5) == 0:
				id = ids[rng.IntN(i)]
			case rng.IntN(2) == 0:
				id = ID{Lo: rng.Uint64() >> rng.IntN(64)}
			default:
				id = ID{Hi: 1 + rng.Uint64()>>rng.IntN(64), Lo: rng.Uint64()}
			}
			ids = append(ids, id)
			byLine[int64(i+1)] = id
			writeID(&b, id)
		}
		dups, distinct, examples := wantDups(byLine)
		chunk := 1 + rng.IntN(n+10)
		piece := 1 + rng.IntN(n)
		for _, opt := range []Options{{}, {ChunkIDs: chunk, pieceIDs: 1 + rng.IntN(chunk)},
			{pieceIDs: piece, splitMin: 1}, {pieceIDs: piece, splitMin: 1, Examples: 1 + rng.IntN(5)}} {
			want := examples
			if opt.Examples == 0 {
				opt.Examples = 1 << 30
			} else {
				want = want[:min(len(want), opt.Examples)]
			}
			opt.TempDir = t.TempDir()
			rep, err := Run(strings.NewReader(b.String()), opt)
			if err != nil || rep.Duplicates != dups || rep.DuplicatedIDs != distinct || !reflect.DeepEqual(rep.DuplicateExamples, want) {
				t.Fatalf("trial %d (chunk %d, piece %d, split %d, examples %d): %v, %d duplicates of %d IDs, want %d of %d\ngot  %v\nwant %v",
					trial, opt.ChunkIDs, opt.pieceIDs, opt.splitMin, opt.Examples, err, rep.Duplicates, rep.DuplicatedIDs, dups, distinct, rep.DuplicateExamples, want)
			}
		}
	}
}

// snowflakeLog writes n decimal Twitter IDs as a shared log of workers
// holds them (as internal/gen does): workers interleaved within each
// millisecond, with every every-th line a repeat of a recent ID (an
// order violation too), and every back-th a step of the clock back.
func snowflakeLog(n, workers, every, back int, seed uint64) string {
	l := snowflake.Twitter
	rng := rand.New(rand.NewPCG(seed, 0))
	tick := uint64(start.Sub(l.Epoch) / l.Unit)
	var b strings.Builder
	var recent [256]uint64
	for line := 0; line < n; {
		ms := uint64(line / (workers * 4))
		for seq := uint64(0); seq < 4 && line < n; seq++ {
			for _, w := range rng.Perm(workers) {
				if line >= n {
					break
				}
				t := tick + ms
				if back > 0 && line%back == back-1 && t > 5 {
					t -= 5
				}
				id := t<<l.Time.Shift | uint64(w)<<l.Worker.Shift | seq
				if every > 0 && line%every == every-1 && line > 256 {
					id = recent[rng.IntN(len(recent))]
				}
				recent[line%len(recent)] = id
				fmt.Fprintln(&b, id)
				line++
			}
		}
	}
	return b.String()
}

// TestSpillMatchesMemory audits one log of Snowflake IDs with every
// check on, once in memory and then through spill files of several
// sizes (pieces of several sizes too), and in memory merged as two
// halves, and requires the formatted reports to be byte for byte the
// same.
func TestSpillMatchesMemory(t *testing.T) {
	l := snowflake.Twitter
	text := snowflakeLog(200_000, 37, 997, 1543, 5)
	base := Options{Layout: &l, Ordered: true, Now: start.Add(30 * time.Second), Workers: mustNodes(t, "0-35", &l), Examples: 50, splitMin: -1}
	format := func(opt Options) (string, *Report) {
		t.Helper()
		opt.TempDir = t.TempDir()
		rep, err := Run(strings.NewReader(text), opt)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		rep.Format(&b, &l)
		return b.String(), rep
	}
	want, rep := format(base)
	if rep.SpillFiles != 0 || rep.Duplicates == 0 || rep.OrderViolations == 0 || rep.Regressions == 0 || rep.UnexpectedWorkers == 0 {
		t.Fatalf("the log should hold every kind of finding, in memory: %+v", rep)
	}
	for _, c := range []struct{ chunk, piece, split int }{{50_000, 0, 0}, {20_000, 7_000, 0}, {4096, 4096, 0}, {1000, 333, 0}, {0, 10_000, 1}, {0, 0, 1},
		{20_000, 7_000, 1}} { // spilled, two runs left in memory: no halves, the files are merged too
		opt := base
		opt.ChunkIDs, opt.pieceIDs, opt.splitMin = c.chunk, c.piece, c.split
		got, rep := format(opt)
		if c.chunk > 0 && rep.SpillFiles < 200_000/(2*c.chunk) {
			t.Errorf("chunk %d: %d spill files, want the spill path taken", c.chunk, rep.SpillFiles)
		}
		if got != want {
			t.Errorf("chunk %d piece %d split %d: the report differs from the one in memory in one merge\n%s\nwant\n%s", c.chunk, c.piece, c.split, got, want)
		}
	}
}

// TestDecimalLinesAsGeneralPath: lines the fast path reads (1 to 19
// digits and a newline) beside ones it leaves to the general path —
// 20 digits, a carriage return, blanks, signs, an empty line, a last
// line without a newline, a header — give the reference auditor's report.
func TestDecimalLinesAsGeneralPath(t *testing.T) {
	l := snowflake.Twitter
	lines := []string{"1", "0", "00000000000000000001", "18446744073709551615", "18446744073709551616", "1234567890123456789",
		"12345678901234567890", " 7", "7 ", "7\r", "", "\t", "+5", "-5", "0x1f", "1_000", "9999999999999999999", "01", "7",
		"12345678", "1234567a", "123456789012345", "1234567890123456", "12345678/0123456", "12345678:0123456", "1234567890123456\r",
		"/2345678901234567", ":2345678901234567", "12345678901234567", "1234567890123456 ", "12345678901234567890123456"}
	rng := rand.New(rand.NewPCG(25, 26))
	dir := t.TempDir()
	for trial := range 200 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(lines[rng.IntN(len(lines))])
			b.WriteByte('\n')
		}
		text := b.String()
		if trial%2 == 0 {
			text += lines[rng.IntN(len(lines))] // no final newline
		}
		opt := Options{Header: trial%5 == 0, Ordered: trial%3 != 0, Examples: 100, TempDir: dir}
		if trial%4 == 0 {
			opt.Layout = &l
		}
		matchReference(t, []byte(text), opt)
	}
}

// matchReference fails t unless Run reports on text what the reference
// auditor does (spill counts aside), errors included.
func matchReference(t testing.TB, text []byte, opt Options) {
	t.Helper()
	want, werr := refRun(bytes.NewReader(text), opt)
	got, err := Run(bytes.NewReader(text), opt)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%q: error %v, reference %v", text, err, werr)
	}
	got.SpillFiles, got.SpillBytes, want.SpillFiles = 0, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: reports differ\ngot  %+v\nwant %+v", text, got, want)
	}
}

// FuzzRunMatchesReference holds the auditor, its fast paths included,
// to the reference auditor on any file.
func FuzzRunMatchesReference(f *testing.F) {
	f.Add([]byte("1\n2\n2\n1234567890123456789\n"), false, true)
	f.Add([]byte("h\n 3\n3\r\n\n00000000000000000003\n0x3\n"), true, true)
	f.Add([]byte("1913138565513728000\n1913138565513728000\n1913138561319424000"), false, false)
	l := snowflake.Twitter
	f.Fuzz(func(t *testing.T, text []byte, header, ordered bool) {
		if bytes.Count(text, []byte("\n")) > 5000 || len(text) > 1<<16 {
			return
		}
		opt := Options{Header: header, Ordered: ordered, Layout: &l, Now: start, Examples: 5, ChunkIDs: 5, pieceIDs: 2, TempDir: t.TempDir()}
		matchReference(t, text, opt)
	})
}

// TestDigits8 holds digits8 to strconv on every byte in every place:
// any byte that is not a digit refuses the eight.
func TestDigits8(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for trial := range 20000 {
		b := []byte(fmt.Sprintf("%08d", rng.IntN(100_000_000)))
		if trial%2 == 0 {
			b[rng.IntN(8)] = byte(trial / 2 % 256)
		}
		want, err := strconv.ParseUint(string(b), 10, 64)
		ok := err == nil && !bytes.ContainsAny(b, "+-_")
		got, gotOK := digits8(binary.LittleEndian.Uint64(b))
		if gotOK != ok || ok && got != want {
			t.Fatalf("%q: %d %v, want %d %v", b, got, gotOK, want, ok)
		}
	}
}

// TestMergeRandom merges 1 to 40 runs — some empty, in memory both
// wide and narrow — and compares the output with a sort of them all:
// every tree shape, not only powers of two.
func TestMergeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	for k := 1; k <= 40; k++ {
		var cs []*cursor
		var all []entry
		line := int64(0)
		for range k {
			n := rng.IntN(50)
			if rng.IntN(4) == 0 {
				n = 0
			}
			var run []entry
			for range n {
				line++
				run = append(run, entry{ID{Lo: uint64(rng.IntN(100))}, line})
			}
			slices.SortFunc(run, func(a, b entry) int {
				if less(a, b) {
					return -1
				}
				return 1
			})
			all = append(all, run...)
			if rng.IntN(2) == 0 {
				nar := make([]narrow, 0, len(run))
				for _, e := range run {
					nar = append(nar, narrow{e.id.Lo, e.line})
				}
				cs = append(cs, &cursor{nar: nar})
			} else {
				cs = append(cs, &cursor{mem: run})
			}
		}
		slices.SortFunc(all, func(a, b entry) int {
			if less(a, b) {
				return -1
			}
			return 1
		})
		var got []entry
		if err := merge(context.Background(), cs, func(e entry) error { got = append(got, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, all) {
			t.Fatalf("%d runs: merged %v\nwant %v", k, got, all)
		}
	}
}

// TestNoAllocationPerLine: an audit of 300,000 clean log lines, with
// every check on, allocates a bounded number of times — per piece, per
// run and per worker, not per line.
func TestNoAllocationPerLine(t *testing.T) {
	l := snowflake.Twitter
	text := snowflakeLog(300_000, 64, 0, 0, 9)
	dir := t.TempDir()
	allocs := testing.AllocsPerRun(2, func() {
		rep, err := Run(strings.NewReader(text), Options{Layout: &l, Ordered: true, Now: start.Add(time.Hour), TempDir: dir})
		if err != nil || !rep.Clean() {
			t.Fatal(err, rep)
		}
	})
	if allocs > 1000 {
		t.Errorf("%.0f allocations for 300000 lines, want at most 1000", allocs)
	}
	t.Logf("%.0f allocations for 300000 lines", allocs)
}

// TestRoom: pieces start small and double up to the piece size, keeping
// their entries; once a piece has been filled new ones start full size;
// an emptied piece is taken back before any is made.
func TestRoom(t *testing.T) {
	var p []narrow
	var caps []int
	for i := range 10_000 {
		p = room(p, nil, 10_000, false)
		if len(caps) == 0 || cap(p) != caps[len(caps)-1] {
			caps = append(caps, cap(p))
		}
		p = append(p, narrow{uint64(i), int64(i)})
	}
	if want := []int{firstPiece, 2 * firstPiece, 10_000}; !slices.Equal(caps, want) {
		t.Errorf("capacities %v, want %v", caps, want)
	}
	for i, e := range p {
		if e.lo != uint64(i) || e.line != int64(i) {
			t.Fatalf("entry %d is %v after growing", i, e)
		}
	}
	if q := room[narrow](nil, nil, 10_000, true); cap(q) != 10_000 || len(q) != 0 {
		t.Errorf("after a full piece: len %d cap %d, want 0 and 10000", len(q), cap(q))
	}
	free := make(chan []entry, 1)
	free <- make([]entry, 0, 77)
	if q := room(nil, free, 10_000, false); cap(q) != 77 {
		t.Errorf("with a free piece: cap %d, want the free piece's 77", cap(q))
	}
	if q := room(make([]entry, 3, 5), free, 10_000, false); len(q) != 3 || cap(q) != 5 {
		t.Errorf("with room left: len %d cap %d, want the piece itself", len(q), cap(q))
	}
}

// TestSplitAtRepeatedMedian: when the ID the runs are cut at has many
// copies, in every run, they all fall on one side and count once as a
// repeated ID; the examples are the lower side's, then the upper's.
func TestSplitAtRepeatedMedian(t *testing.T) {
	var ids []uint64
	for i := range 3000 {
		switch {
		case i%3 == 0:
			ids = append(ids, 500) // a third of the lines: the median
		case i%2 == 0:
			ids = append(ids, uint64(i))
		default:
			ids = append(ids, uint64(i%500)) // repeats below the median too
		}
	}
	for _, piece := range []int{7, 100, 1000} {
		rep := checkDups(t, "median repeated", ids, Options{pieceIDs: piece, splitMin: 1})
		if rep.DuplicatedIDs < 2 {
			t.Errorf("piece %d: %d repeated IDs", piece, rep.DuplicatedIDs)
		}
	}
}

// TestMedianOfRuns: the cut is near the median of all runs, not of one:
// runs of disjoint ranges, as pieces of a log are, taken out of order.
func TestMedianOfRuns(t *testing.T) {
	d := &dups{}
	for _, r := range []int{3, 2, 0, 1} { // the runs' samples not in order
		run := make([]narrow, 1000)
		for i := range run {
			run[i] = narrow{uint64(r*1000 + i), int64(r*1000 + i + 1)}
		}
		d.memNar = append(d.memNar, run)
		d.inMem += len(run)
	}
	d.mem = [][]entry{{{ID{Hi: 1}, 9000}}}
	d.inMem++
	if m := d.median(); m.Hi != 0 || m.Lo < 1900 || m.Lo > 2100 {
		t.Errorf("median %v, want about 2000", m)
	}
	if m := (&dups{}).median(); m != (ID{}) {
		t.Errorf("median of nothing: %v", m)
	}
}

// TestRadixSort64Short: no entries and one entry come back as they are,
// without a pass (the mutation run found neither tested: a random length
// below 3000 is rarely 0).
func TestRadixSort64Short(t *testing.T) {
	for _, es := range [][]narrow{nil, {}, {{7, 1}}} {
		tmp := make([]narrow, len(es))
		got, spare := radixSort64(es, tmp)
		if !slices.Equal(got, es) || len(spare) != len(es) {
			t.Errorf("radixSort64(%v) = %v, %v", es, got, spare)
		}
		got, _ = lsd64(es, tmp)
		if !slices.Equal(got, es) {
			t.Errorf("lsd64(%v) = %v", es, got)
		}
	}
}

// TestSplitAtWideMedianOfHiOne: 128-bit IDs whose high half is 1 beside
// 64-bit IDs whose low half is larger than theirs; the cut falls among
// the 128-bit ones, and every 64-bit ID, however large, is below it.
func TestSplitAtWideMedianOfHiOne(t *testing.T) {
	var b strings.Builder
	byLine := map[int64]ID{}
	for i := range 3000 {
		id := ID{Hi: 1, Lo: uint64(i % 1500)} // each twice
		if i%3 == 0 {
			id = ID{Lo: 1<<63 + uint64(i%600)} // each about twice
		}
		byLine[int64(i+1)] = id
		writeID(&b, id)
	}
	dups, distinct, examples := wantDups(byLine)
	rep, err := Run(strings.NewReader(b.String()), Options{pieceIDs: 250, splitMin: 1, Examples: 1 << 30, TempDir: t.TempDir()})
	if err != nil || rep.Duplicates != dups || rep.DuplicatedIDs != distinct || !reflect.DeepEqual(rep.DuplicateExamples, examples) {
		t.Errorf("%v: %d duplicates of %d IDs, want %d of %d; examples in ID order: %v", err, rep.Duplicates, rep.DuplicatedIDs, dups, distinct, reflect.DeepEqual(rep.DuplicateExamples, examples))
	}
}

// writeID writes id as a line of a log: decimal when it fits in 64 bits,
// else 32 hex digits.
func writeID(w io.Writer, id ID) {
	if id.Hi == 0 {
		fmt.Fprintln(w, id.Lo)
	} else {
		fmt.Fprintf(w, "%016x%016x\n", id.Hi, id.Lo)
	}
}
