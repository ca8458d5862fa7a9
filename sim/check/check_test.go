package check

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/idsim/idsim/sim/record"
	"pgregory.net/rapid"
)

// bruteDuplicates is the obvious map-based answer the fast checker must
// agree with.
func bruteDuplicates(logs []*record.Log) []Duplicate {
	seen := map[uint64][]Occurrence{}
	for _, l := range logs {
		l.Each(func(i int64, id uint64, t int64) bool {
			seen[id] = append(seen[id], Occurrence{Worker: l.Worker, Index: i, Time: t})
			return true
		})
	}
	var out []Duplicate
	for id, occ := range seen {
		if len(occ) > 1 {
			sortOccurrences(occ)
			out = append(out, Duplicate{ID: id, Occurrences: occ})
		}
	}
	sortDuplicates(out)
	return out
}

// sortOccurrences and sortDuplicates put brute-force answers in the
// order Duplicates promises.
func sortOccurrences(occ []Occurrence) {
	slices.SortFunc(occ, func(a, b Occurrence) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.Worker, b.Worker), cmp.Compare(a.Index, b.Index))
	})
}

func sortDuplicates(d []Duplicate) {
	slices.SortFunc(d, func(a, b Duplicate) int { return cmp.Or(cmp.Compare(a.Hi, b.Hi), cmp.Compare(a.ID, b.ID)) })
}

// snowflakeLike builds logs whose IDs look like Snowflake IDs (time in the
// high bits, worker below), with every planted (worker, index) copying an
// earlier ID of another worker.
func snowflakeLike(workers, perWorker int, rng *rand.Rand, plant int) ([]*record.Log, []uint64) {
	logs := make([]*record.Log, workers)
	all := [][]uint64{}
	for w := range logs {
		logs[w] = record.New(w)
		ids := make([]uint64, perWorker)
		tick, seq := uint64(1000), uint64(0)
		for i := range ids {
			if rng.IntN(2) == 0 {
				tick, seq = tick+1, 0
			} else {
				seq++
			}
			ids[i] = tick<<22 | uint64(w)<<12 | seq
		}
		all = append(all, ids)
	}
	var planted []uint64
	for p := 0; p < plant; p++ {
		w, i := rng.IntN(workers), rng.IntN(perWorker)
		src := all[rng.IntN(workers)][rng.IntN(perWorker)]
		if src == all[w][i] {
			continue
		}
		all[w][i] = src
		planted = append(planted, src)
	}
	for w, ids := range all {
		for i, id := range ids {
			logs[w].Append(id, int64(i)*1000+int64(w))
		}
	}
	return logs, planted
}

func TestDuplicatesFindsPlanted(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	logs, planted := snowflakeLike(64, 20000, rng, 300)
	got := Duplicates(logs)
	want := bruteDuplicates(logs)
	if len(want) == 0 {
		t.Fatal("no duplicates planted")
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Duplicates disagrees with brute force: got %d groups, want %d", len(got), len(want))
	}
	ids := map[uint64]bool{}
	for _, d := range got {
		ids[d.ID] = true
	}
	for _, p := range planted {
		if !ids[p] {
			t.Errorf("planted duplicate %d not found", p)
		}
	}
}

func TestDuplicatesNoneInCleanLogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	logs, _ := snowflakeLike(32, 50000, rng, 0)
	if d := Duplicates(logs); len(d) != 0 {
		t.Fatalf("found %d duplicates in clean logs, first %+v", len(d), d[0])
	}
}

// Property: on arbitrary small logs, including values at the extremes of
// the ID space and heavy repetition, the checker agrees with brute force.
func TestPropertyDuplicatesMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		workers := rapid.IntRange(1, 5).Draw(t, "workers")
		pool := rapid.SliceOfN(rapid.Uint64(), 1, 50).Draw(t, "pool")
		pool = append(pool, 0, 1<<64-1)
		var logs []*record.Log
		for w := 0; w < workers; w++ {
			l := record.New(w)
			ids := rapid.SliceOf(rapid.SampledFrom(pool)).Draw(t, fmt.Sprint("ids", w))
			for i, id := range ids {
				l.Append(id, int64(i))
			}
			logs = append(logs, l)
		}
		if got, want := Duplicates(logs), bruteDuplicates(logs); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
}

// Large enough to use many value ranges and parallel partitions, with
// random 64-bit IDs so every block overlaps every range.
func TestDuplicatesRandomIDsManyRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	logs := []*record.Log{record.New(0), record.New(1)}
	var planted uint64
	for i := 0; i < 1_500_000; i++ {
		id := rng.Uint64()
		if i == 1_234_567 {
			planted = id
		}
		logs[i%2].Append(id, int64(i))
	}
	logs[0].Append(planted, 2_000_000)
	got := Duplicates(logs)
	if len(got) != 1 || got[0].ID != planted || len(got[0].Occurrences) != 2 {
		t.Fatalf("got %+v, want the one planted duplicate %d", got, planted)
	}
	if o := got[0].Occurrences; o[0].Time != 1_234_567 || o[1].Time != 2_000_000 || o[1].Worker != 0 {
		t.Errorf("occurrences %+v", o)
	}
}

func TestOrderCatchesPlantedReorder(t *testing.T) {
	var o Order
	ids := []uint64{1, 2, 5, 9, 9, 10, 3, 11}
	var bad []int
	for i, id := range ids {
		if !o.Next(id) {
			bad = append(bad, i)
		}
	}
	if !slices.Equal(bad, []int{4, 6}) {
		t.Errorf("violations at %v, want [4 6] (a repeat and a step back)", bad)
	}
}

func BenchmarkDuplicates(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	logs, _ := snowflakeLike(1024, 10000, rng, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Duplicates(logs)
	}
	b.ReportMetric(float64(b.N)*1024*10000/b.Elapsed().Seconds(), "ids/s")
}

func bruteWide(logs []*record.Log) []Duplicate {
	seen := map[[2]uint64][]Occurrence{}
	for _, l := range logs {
		for _, b := range l.Blocks() {
			his, los, times := b.AppendHis(nil), b.AppendIDs(nil), b.AppendTimes(nil)
			for j := range los {
				id := [2]uint64{his[j], los[j]}
				seen[id] = append(seen[id], Occurrence{Worker: l.Worker, Index: b.Start + int64(j), Time: times[j]})
			}
		}
	}
	var out []Duplicate
	for id, occ := range seen {
		if len(occ) > 1 {
			sortOccurrences(occ)
			out = append(out, Duplicate{ID: id[1], Hi: id[0], Occurrences: occ})
		}
	}
	sortDuplicates(out)
	return out
}

// 128-bit IDs that share a half with another ID are not duplicates; equal
// pairs are, whichever worker issued them.
func TestPropertyWideDuplicatesMatchBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		halves := rapid.SliceOfN(rapid.Uint64(), 1, 6).Draw(t, "halves")
		var logs []*record.Log
		for w := 0; w < rapid.IntRange(1, 4).Draw(t, "workers"); w++ {
			l := record.NewWide(w)
			n := rapid.IntRange(0, 40).Draw(t, fmt.Sprint("n", w))
			for i := 0; i < n; i++ {
				l.Append128(rapid.SampledFrom(halves).Draw(t, "hi"), rapid.SampledFrom(halves).Draw(t, "lo"), int64(i))
			}
			logs = append(logs, l)
		}
		if got, want := Duplicates(logs), bruteWide(logs); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
}

func TestWideDuplicatesAtScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	logs := []*record.Log{record.NewWide(0), record.NewWide(1)}
	var hi, lo uint64
	for i := 0; i < 300_000; i++ {
		h, l := rng.Uint64(), rng.Uint64()
		if i == 1234 {
			hi, lo = h, l
		}
		logs[i%2].Append128(h, l, int64(i))
	}
	logs[1].Append128(hi, lo^1, 400_000) // shares the high half only
	logs[1].Append128(hi, lo, 400_001)
	got := Duplicates(logs)
	if len(got) != 1 || got[0].Hi != hi || got[0].ID != lo || got[0].Occurrences[1].Time != 400_001 {
		t.Fatalf("got %+v", got)
	}
}

func TestOrder128(t *testing.T) {
	var o Order128
	var bad []int
	for i, id := range [][2]uint64{{1, 5}, {1, 6}, {2, 0}, {1, 9}, {1, 9}, {2, 1}} {
		if !o.Next(id[0], id[1]) {
			bad = append(bad, i)
		}
	}
	if !slices.Equal(bad, []int{3, 4}) {
		t.Errorf("violations at %v, want [3 4]", bad)
	}
}

func TestSortPlantedLateIDs(t *testing.T) {
	a, b := record.New(0), record.New(1)
	// Two workers issue increasing IDs once per ms...
	for i := int64(0); i < 100; i++ {
		a.Append(uint64(10*i), i*1e6)
		b.Append(uint64(10*i+1), i*1e6+5e5)
	}
	// ...then worker 1 issues an ID that sorts with those of 30 ms ago.
	b.Append(705, 100e6)
	s := Sort([]*record.Log{a, b}, 1e6, 101e6)
	if s.Late != 1 {
		t.Fatalf("%d late IDs, want the 1 planted", s.Late)
	}
	// 705 sorts below 710, issued at 71 ms: 29 windows back.
	if s.MaxLateness != 29e6 || s.P99 != 29e6 {
		t.Errorf("lateness %+v, want 29ms", s)
	}
	if s := Sort([]*record.Log{a}, 1e6, 101e6); s.Late != 0 {
		t.Errorf("increasing IDs: %+v", s)
	}
}

func TestSortWide(t *testing.T) {
	l := record.NewWide(0)
	l.Append128(5, 0, 0)
	l.Append128(6, 0, 2e6)
	l.Append128(5, 9, 4e6) // below (6, 0), issued 2 ms before
	if s := Sort([]*record.Log{l}, 1e6, 5e6); s.Late != 1 || s.MaxLateness != 2e6 {
		t.Errorf("%+v", s)
	}
}

// Groups of value ranges of every size, from one range to more ranges
// than there are: the same duplicates, every occurrence, as brute force.
// Planted duplicates land at group boundaries as anywhere else, and
// some blocks are unsorted.
func TestDuplicatesAcrossGroups(t *testing.T) {
	defer func(g int) { groupRanges = g }(groupRanges)
	rng := rand.New(rand.NewPCG(11, 12))
	logs, planted := snowflakeLike(16, 40_000, rng, 300)
	want := bruteDuplicates(logs)
	if len(want) < len(planted)/2 {
		t.Fatalf("brute force finds %d duplicates for %d planted", len(want), len(planted))
	}
	// A twin of a clean worker: every one of its IDs repeated, in
	// sorted blocks only, across every range.
	clean, _ := snowflakeLike(16, 40_000, rng, 0)
	twin := record.New(16)
	clean[5].Each(func(_ int64, id uint64, tm int64) bool {
		twin.Append(id, tm+1)
		return true
	})
	twins := append(clean, twin)
	wantTwins := bruteDuplicates(twins)
	if len(wantTwins) != 40_000 {
		t.Fatalf("brute force finds %d duplicates in the twins", len(wantTwins))
	}
	for _, g := range []int{1, 2, 3, 7, 64, 1 << 20} {
		groupRanges = g
		got := Duplicates(logs)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("groups of %d ranges: %d duplicates, brute force %d", g, len(got), len(want))
		}
		if got := Duplicates(twins); fmt.Sprint(got) != fmt.Sprint(wantTwins) {
			t.Fatalf("groups of %d ranges, twin logs: %d duplicates, brute force %d", g, len(got), len(wantTwins))
		}
	}
}
