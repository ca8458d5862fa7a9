package check

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idsim/idsim/sim/record"
)

// TestDuplicatesInPasses bounds the memory the IDs of unsorted blocks
// take, from none to more than they need, so that the ranges are
// checked in up to one pass per group: the same duplicates, with every
// occurrence, as brute force, for random IDs (every block unsorted),
// Snowflake-like logs with planted duplicates (some blocks unsorted)
// and both together.
func TestDuplicatesInPasses(t *testing.T) {
	defer func(b int64, g int) { looseBytes, groupRanges = b, g }(looseBytes, groupRanges)
	rng := rand.New(rand.NewPCG(21, 22))
	logs, _ := snowflakeLike(8, 30_000, rng, 200)
	var random []*record.Log
	for w := range 3 {
		l := record.New(8 + w)
		for i := range 60_000 {
			id := rng.Uint64()
			if i%1000 == 0 {
				id = uint64(i) // repeated across the random logs
			}
			l.Append(id, int64(i))
		}
		random = append(random, l)
	}
	for _, set := range [][]*record.Log{logs, random, append(append([]*record.Log(nil), logs...), random...)} {
		want := bruteDuplicates(set)
		if len(want) == 0 {
			t.Fatal("nothing to find")
		}
		for _, g := range []int{1, 4, 64} {
			groupRanges = g
			for _, b := range []int64{1, 64 << 10, 1 << 20, 1 << 40} {
				looseBytes = b
				if got := Duplicates(set); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%d logs, groups of %d, %d bytes of loose IDs: %d duplicates, brute force %d", len(set), g, b, len(got), len(want))
				}
			}
		}
	}
}
