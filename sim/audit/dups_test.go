package audit

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

// wantDups computes, by brute force, the duplicate findings of a list of
// IDs by line: total extra copies, distinct repeated IDs, and the
// "repeats line" examples in ID order.
func wantDups(ids map[int64]ID) (dups, distinct int64, examples []Finding) {
	byID := map[ID][]int64{}
	for line, id := range ids {
		byID[id] = append(byID[id], line)
	}
	keys := make([]ID, 0, len(byID))
	for id := range byID {
		keys = append(keys, id)
	}
	slices.SortFunc(keys, func(a, b ID) int {
		if less(entry{id: a}, entry{id: b}) {
			return -1
		}
		return 1
	})
	for _, id := range keys {
		lines := byID[id]
		if len(lines) < 2 {
			continue
		}
		slices.Sort(lines)
		distinct++
		for _, l := range lines[1:] {
			dups++
			examples = append(examples, Finding{Line: l, Text: fmt.Sprintf("%s repeats line %d", idText(id, -1), lines[0])})
		}
	}
	return
}

// checkDups runs the auditor on lines of decimal IDs and compares every
// duplicate figure with wantDups.
func checkDups(t *testing.T, name string, ids []uint64, opt Options) *Report {
	t.Helper()
	var b strings.Builder
	byLine := map[int64]ID{}
	for i, id := range ids {
		fmt.Fprintln(&b, id)
		byLine[int64(i+1)] = ID{Lo: id}
	}
	opt.Examples = 1 << 30
	opt.TempDir = t.TempDir()
	rep, err := Run(strings.NewReader(b.String()), opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dups, distinct, examples := wantDups(byLine)
	if rep.Duplicates != dups || rep.DuplicatedIDs != distinct || !reflect.DeepEqual(rep.DuplicateExamples, examples) {
		t.Errorf("%s (chunk %d, piece %d, %d spill files): %d duplicates of %d IDs, want %d of %d\ngot  %v\nwant %v",
			name, opt.ChunkIDs, opt.pieceIDs, rep.SpillFiles, rep.Duplicates, rep.DuplicatedIDs, dups, distinct, rep.DuplicateExamples, examples)
	}
	return rep
}

// TestDuplicatesAtChunkBoundaries puts the two copies of an ID on either
// side of every boundary between sorted pieces and between spilled
// files, and checks the total.
func TestDuplicatesAtChunkBoundaries(t *testing.T) {
	for _, c := range []int{2, 3, 4, 7, 16} {
		var ids []uint64
		for i := range 10 * c {
			ids = append(ids, uint64(1000+i))
		}
		// Line k*c (the last of a piece) is repeated by line k*c+1 (the
		// first of the next).
		for k := 1; k < 10; k++ {
			ids[k*c] = ids[k*c-1]
		}
		// An ID in the first piece repeated in the last, in memory.
		ids[len(ids)-1] = ids[0]
		rep := checkDups(t, "spilled", ids, Options{ChunkIDs: c})
		if rep.SpillFiles < 9 {
			t.Errorf("chunk %d: %d spill files, want the boundaries between files tested", c, rep.SpillFiles)
		}
		// The same in memory: pieces of c, runs kept until 3c, then merged
		// into one file.
		checkDups(t, "runs in memory", ids, Options{ChunkIDs: 3 * c, pieceIDs: c})
		checkDups(t, "one piece", ids, Options{})
	}
}

// TestDuplicatesInMemoryAfterSpill plants repeats that are both in the
// last piece (never spilled), one in memory and one in a file, both in one
// file and in two files, in several copies; the totals must all count.
func TestDuplicatesInMemoryAfterSpill(t *testing.T) {
	const c = 8
	var ids []uint64
	for i := range 5*c + c/2 { // five spilled files and half a piece in memory
		ids = append(ids, uint64(50_000+7*i))
	}
	n := len(ids)
	ids[n-1] = ids[n-2]             // both copies in memory
	ids[n-3] = ids[1]               // a file and memory
	ids[3], ids[5] = ids[2], ids[2] // three copies in one file
	ids[c+2] = ids[3*c+1]           // two files
	ids[4*c] = ids[n-4]             // a file and memory, the file after
	for _, opt := range []Options{{ChunkIDs: c}, {ChunkIDs: 2 * c, pieceIDs: c / 2}, {ChunkIDs: 3, pieceIDs: 2}} {
		rep := checkDups(t, "planted", ids, opt)
		if rep.Duplicates != 6 || rep.SpillFiles == 0 {
			t.Errorf("%+v: %d duplicates with %d spill files, want 6 with some", opt, rep.Duplicates, rep.SpillFiles)
		}
	}
}

// TestDuplicatesRandom compares the totals with brute force on random
// files with many repeats, over chunk and piece sizes.
func TestDuplicatesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := range 40 {
		n := 1 + rng.IntN(3000)
		ids := make([]uint64, n)
		for i := range ids {
			switch rng.IntN(4) {
			case 0:
				ids[i] = rng.Uint64()
			case 1:
				ids[i] = uint64(rng.IntN(n)) // many repeats
			default:
				ids[i] = uint64(1<<40 + i*3 + rng.IntN(5)) // nearly sorted, some repeats
			}
		}
		chunk := 1 + rng.IntN(n+10)
		piece := 1 + rng.IntN(chunk)
		checkDups(t, fmt.Sprint("trial ", trial), ids, Options{ChunkIDs: chunk, pieceIDs: piece})
	}
}

// TestRadixSortStable holds the radix sort to slices.SortStableFunc.
func TestRadixSortStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := rng.IntN(2000)
		es := make([]entry, n)
		for i := range es {
			es[i] = entry{ID{rng.Uint64() >> (rng.IntN(4) * 21), rng.Uint64() >> (rng.IntN(4) * 21)}, int64(i)}
			if i > 0 && rng.IntN(3) == 0 {
				es[i].id = es[rng.IntN(i)].id
			}
		}
		want := slices.Clone(es)
		slices.SortStableFunc(want, func(a, b entry) int {
			if a.id == b.id {
				return 0
			}
			if less(a, b) {
				return -1
			}
			return 1
		})
		got, _ := radixSort(es, make([]entry, n))
		if !slices.Equal(got, want) {
			t.Fatalf("radix sort of %d entries differs", n)
		}
	}
}

// TestOrderedComparesAll128Bits: UUIDs in order whose low halves fall,
// and out of order whose low halves rise.
func TestOrderedComparesAll128Bits(t *testing.T) {
	u := func(hi, lo uint64) string { return uuid.FromHiLo(hi, lo).String() }
	l := func(hi, lo uint64) string { return ulid.FromHiLo(hi, lo).String() }
	for _, f := range []func(hi, lo uint64) string{u, l} {
		inOrder := strings.Join([]string{f(0x0190_0000_0000_7000, 9), f(0x0190_0000_0001_7000, 5), f(0x0190_0000_0002_7000, 1)}, "\n")
		rep, err := Run(strings.NewReader(inOrder), Options{Ordered: true})
		if err != nil || rep.OrderViolations != 0 {
			t.Errorf("increasing high halves, falling low halves: %d violations %v %+v", rep.OrderViolations, err, rep.OrderExamples)
		}
		backwards := strings.Join([]string{f(0x0190_0000_0002_7000, 1), f(0x0190_0000_0001_7000, 5), f(0x0190_0000_0000_7000, 9)}, "\n")
		rep, err = Run(strings.NewReader(backwards), Options{Ordered: true})
		if err != nil || rep.OrderViolations != 2 {
			t.Errorf("falling high halves, rising low halves: %d violations %v, want 2", rep.OrderViolations, err)
		}
	}
}

// TestSmallClockRegressions: a step back of one tick (1 ms on Twitter),
// and of one millisecond between ULIDs, is a regression.
func TestSmallClockRegressions(t *testing.T) {
	l := snowflake.Twitter
	id := func(ms int64, seq uint64) string {
		tick := uint64(start.Add(time.Duration(ms)*time.Millisecond).Sub(l.Epoch) / l.Unit)
		return fmt.Sprint(tick<<l.Time.Shift | 3<<l.Worker.Shift | seq)
	}
	text := strings.Join([]string{id(100, 0), id(101, 0), id(100, 1), id(101, 1), id(101, 2)}, "\n")
	rep, err := Run(strings.NewReader(text), Options{Layout: &l, Ordered: true})
	if err != nil || rep.Regressions != 1 || len(rep.RegressionExamples) != 1 || rep.RegressionExamples[0].Line != 3 ||
		!strings.Contains(rep.RegressionExamples[0].Text, "went back 1ms (node 3)") || rep.Workers[0].MaxBehind != time.Millisecond {
		t.Errorf("1 ms back: %d %v %+v %+v", rep.Regressions, err, rep.RegressionExamples, rep.Workers)
	}
	ul := func(ms uint64) string { return ulid.FromHiLo(ms<<16, 0).String() }
	rep, err = Run(strings.NewReader(strings.Join([]string{ul(1_700_000_000_001), ul(1_700_000_000_000)}, "\n")), Options{Ordered: true})
	if err != nil || rep.Regressions != 1 || !strings.Contains(rep.RegressionExamples[0].Text, "went back 1ms") {
		t.Errorf("ULIDs 1 ms back: %d %v %+v", rep.Regressions, err, rep.RegressionExamples)
	}
}

// mixedFile writes a file of every kind of line the auditor reads, with
// repeats, malformed and blank lines, CRLF endings and a CSV column.
func mixedFile(rng *rand.Rand, n int, csv bool) string {
	l := snowflake.Twitter
	tick := uint64(start.Sub(l.Epoch) / l.Unit)
	var b strings.Builder
	var seen []string
	if csv {
		b.WriteString("n,id,extra\n")
	}
	for i := range n {
		var s string
		switch r := rng.IntN(100); {
		case r < 50: // Snowflake IDs from 8 workers, mostly in order
			ms := uint64(i/4) + uint64(rng.IntN(3))
			if rng.IntN(50) == 0 {
				ms -= uint64(rng.IntN(2000)) // a clock step back
			}
			s = fmt.Sprint((tick+ms)<<l.Time.Shift | uint64(rng.IntN(8))<<l.Worker.Shift | uint64(rng.IntN(4)))
		case r < 55:
			s = fmt.Sprintf("%#x", (tick+uint64(i))<<l.Time.Shift|uint64(rng.IntN(40))<<l.Worker.Shift)
		case r < 60:
			s = fmt.Sprint(rng.Uint64()) // stray bits, or far future
		case r < 70:
			ms := uint64(start.UnixMilli()) + uint64(i) - uint64(rng.IntN(3))
			s = uuid.FromHiLo(ms<<16|0x7000|uint64(rng.IntN(4096)), 0x8000_0000_0000_0000|rng.Uint64()>>2).String()
			if rng.IntN(2) == 0 {
				s = strings.ToUpper(strings.ReplaceAll(s, "-", ""))
			}
		case r < 75:
			ms := uint64(start.UnixMilli()) + uint64(i) - uint64(rng.IntN(3))
			s = ulid.FromHiLo(ms<<16|uint64(rng.IntN(4)), rng.Uint64()).String()
		case r < 78:
			s = []string{"oops", "", "  ", "0x", "-1", "12345678901234567890123"}[rng.IntN(6)]
		case r < 80:
			s = "0"
		default:
			if len(seen) > 0 {
				s = seen[rng.IntN(len(seen))] // a repeat
			} else {
				s = "1"
			}
		}
		seen = append(seen, s)
		if csv {
			s = fmt.Sprintf("%d,\"%s\",x", i, s)
			if rng.IntN(40) == 0 {
				s = "short"
			}
		}
		b.WriteString(s)
		if rng.IntN(10) == 0 {
			b.WriteString("\r")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestMatchesReference: on mixed files, with every option, spilling or
// not, the auditor gives the same report as the one it replaced.
func TestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	l := snowflake.Twitter
	workers := mustNodes(t, "0-5,7", &l)
	for trial := range 30 {
		csv := trial%3 == 0
		text := mixedFile(rng, 1+rng.IntN(4000), csv)
		if trial%5 == 0 {
			text = strings.TrimSuffix(text, "\n") // no final newline
		}
		opt := Options{Ordered: trial%2 == 0, Now: start.Add(time.Duration(rng.IntN(3000)) * time.Millisecond), Ahead: time.Duration(rng.IntN(100)) * time.Millisecond,
			Examples: []int{0, 3, 1 << 20}[rng.IntN(3)], TempDir: t.TempDir()}
		if trial%4 != 3 {
			opt.Layout = &l
			if trial%3 == 1 {
				opt.Workers = workers
			}
		}
		if csv {
			opt.Column, opt.Header = 2, true
		}
		want, werr := refRun(strings.NewReader(text), opt)
		for _, chunk := range []int{0, 7, 100, 1000} {
			o := opt
			o.ChunkIDs = chunk
			o.pieceIDs = []int{0, 3, 50}[rng.IntN(3)]
			got, err := Run(strings.NewReader(text), o)
			if (err == nil) != (werr == nil) {
				t.Fatalf("trial %d chunk %d: error %v, reference %v", trial, chunk, err, werr)
			}
			got.SpillFiles, want.SpillFiles, got.SpillBytes = 0, 0, 0
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("trial %d chunk %d: reports differ\ngot  %+v\nwant %+v", trial, chunk, got, want)
			}
			var gb, wb strings.Builder
			got.Format(&gb, opt.Layout)
			want.Format(&wb, opt.Layout)
			if gb.String() != wb.String() {
				t.Fatalf("trial %d chunk %d: formatted reports differ\n%s\n%s", trial, chunk, gb.String(), wb.String())
			}
		}
	}
}

// TestLargeSpillFiles spills files larger than the read-back buffer, so
// that records straddle its refills, and checks the totals.
func TestLargeSpillFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ids := make([]uint64, 300_000)
	for i := range ids {
		ids[i] = rng.Uint64() >> rng.IntN(40)
		if i > 0 && rng.IntN(50) == 0 {
			ids[i] = ids[rng.IntN(i)]
		}
	}
	rep := checkDups(t, "large files", ids, Options{ChunkIDs: 120_000, pieceIDs: 30_000})
	if rep.SpillFiles != 2 || rep.Duplicates < 5000 {
		t.Errorf("%d spill files, %d duplicates", rep.SpillFiles, rep.Duplicates)
	}
}
