// Package check holds the property checkers idsim runs over recorded IDs:
// global uniqueness with the positions needed to explain every duplicate,
// and per-worker strict order.
//
// Checkers are pure functions of the record; they know nothing of clocks or
// faults. The simulator turns their positions into explained findings.
package check

import (
	"cmp"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/idsim/idsim/sim/record"
)

// Occurrence is one issue of an ID: which worker, the index of the ID in
// that worker's log, and the true time it was issued.
type Occurrence struct {
	Worker int
	Index  int64
	Time   int64
}

// Duplicate is an ID issued more than once. Occurrences are in true-time
// order (ties by worker, then index): the first is the original, every
// later one is an extra copy.
type Duplicate struct {
	// ID is the ID, or for a 128-bit ID its low half.
	ID uint64
	// Hi is the high half of a 128-bit ID; 0 for 64-bit IDs.
	Hi          uint64
	Occurrences []Occurrence
}

// Extra returns the number of extra copies: len(Occurrences) - 1.
func (d Duplicate) Extra() int { return len(d.Occurrences) - 1 }

// Duplicates returns every ID that occurs more than once across the logs,
// in ascending ID order, each with all its occurrences.
//
// It finds duplicate values without a second copy of the record. The ID
// space is cut into value ranges of about 32Ki IDs each, with boundaries
// from a sample, and consecutive ranges are grouped 64 at a time. A group
// is decoded from the blocks that can hold it — from a restart point in
// blocks whose IDs strictly increase, which is nearly every block of a
// time-ordered scheme — into a buffer of about 16 MiB per CPU, and each
// of its ranges goes through a hash set small enough to stay in a core's
// cache. IDs of unsorted blocks are distributed to their ranges in one
// pass beforehand, costing 8 bytes per unsorted ID while the check runs.
// Groups are processed in parallel; the result does not depend on how
// many. A second pass collects the occurrences of the duplicate values
// only.
//
// 128-bit IDs are checked by a 64-bit hash of each ID, distributed over
// ranges of the hash (8 bytes per ID while the check runs); candidates
// are then compared in full, so a hash collision never shows as a
// duplicate.
func Duplicates(logs []*record.Log) []Duplicate {
	for _, l := range logs {
		if l.Wide() {
			return wideDuplicates(logs)
		}
	}
	var blocks []*record.Block
	var owner []int // owner[i] is the index in logs of blocks[i]
	var n int64
	for li, l := range logs {
		for _, b := range l.Blocks() {
			if b.Len() > 0 {
				blocks = append(blocks, b)
				owner = append(owner, li)
				n += int64(b.Len())
			}
		}
	}
	if n < 2 {
		return nil
	}
	values := duplicateValues(blocks, cuts(blocks, n))
	if len(values) == 0 {
		return nil
	}
	return occurrences(logs, blocks, owner, values)
}

// partSize is the number of IDs a value range aims to hold: small enough
// that its hash set (16 bytes per ID) stays in a core's cache.
const partSize = 1 << 15

// cuts returns ascending boundaries that split the ID space into ranges of
// roughly partSize IDs: range i is [cut[i-1], cut[i]) with cut[-1] = 0 and
// the last range running to MaxUint64. The boundaries come from a sample
// of the IDs taken at jittered strides: a fixed stride would alias with
// the regular structure of simulated logs (every worker's blocks have the
// same sizes) and sample the same moments from every worker. The jitter
// comes from a fixed-seed generator, so the cut is deterministic.
func cuts(blocks []*record.Block, n int64) []uint64 {
	const samplePerRange = 16
	parts := max(1, n/partSize)
	if parts == 1 {
		return nil
	}
	step := max(1, n/(parts*samplePerRange))
	jitter := rand.New(rand.NewPCG(0x1d5, 0x5a3))
	sample := make([]uint64, 0, 2*parts*samplePerRange+int64(len(blocks)))
	k := jitter.Int64N(step)
	var ids []uint64
	for _, b := range blocks {
		if k >= int64(b.Len()) {
			k -= int64(b.Len())
			continue
		}
		ids = b.AppendIDs(ids[:0])
		for ; k < int64(len(ids)); k += 1 + jitter.Int64N(2*step) {
			sample = append(sample, ids[k])
		}
		k -= int64(len(ids))
	}
	slices.Sort(sample)
	var out []uint64
	for i := int64(1); i < parts; i++ {
		c := sample[i*int64(len(sample))/parts]
		if c > 0 && (len(out) == 0 || c > out[len(out)-1]) {
			out = append(out, c)
		}
	}
	return out
}

// groupRanges is how many consecutive value ranges are decoded together
// (a variable so that tests can make groups small).
var groupRanges = 64

// looseBytes bounds the memory the IDs of unsorted blocks take while
// they are distributed to their ranges (a variable so that tests can
// make it small): past it, the groups are checked in passes over slices
// of the ID space, each pass decoding the unsorted blocks again and
// keeping the IDs of its slice only.
var looseBytes int64 = 2 << 30

// duplicateValues returns, in ascending order, every value that occurs
// more than once.
func duplicateValues(blocks []*record.Block, cut []uint64) []uint64 {
	nr := len(cut) + 1
	rangeOf := func(id uint64) int {
		i, found := slices.BinarySearch(cut, id)
		if found {
			i++
		}
		return i
	}
	bounds := func(r int) (lo, hi uint64) {
		lo, hi = 0, math.MaxUint64
		if r > 0 {
			lo = cut[r-1]
		}
		if r < len(cut) {
			hi = cut[r] - 1
		}
		return lo, hi
	}
	// Sorted blocks: the groups of ranges they reach. Unsorted blocks:
	// their IDs, distributed by range (loose), for the groups of one
	// pass at a time.
	ng := (nr + groupRanges - 1) / groupRanges
	groups := make([][]int32, ng)
	loose := make([][]uint64, nr)
	var unsorted []int32
	var nLoose int64
	for bi, b := range blocks {
		first, last := rangeOf(b.Min), rangeOf(b.Max)
		if !b.Sorted {
			unsorted = append(unsorted, int32(bi))
			nLoose += int64(b.Len())
			continue
		}
		for g := first / groupRanges; g <= last/groupRanges; g++ {
			groups[g] = append(groups[g], int32(bi))
		}
	}
	passes := int(min(int64(ng), max(1, (8*nLoose+looseBytes-1)/looseBytes)))
	var ids []uint64
	distribute := func(r0, r1 int) {
		for _, bi := range unsorted {
			b := blocks[bi]
			first, last := rangeOf(b.Min), rangeOf(b.Max)
			if last < r0 || first >= r1 {
				continue
			}
			ids = b.AppendIDs(ids[:0])
			if first == last {
				loose[first] = append(loose[first], ids...)
				continue
			}
			for _, id := range ids {
				if r := rangeOf(id); r >= r0 && r < r1 {
					loose[r] = append(loose[r], id)
				}
			}
		}
	}

	found := make([][]uint64, nr)
	for p := range passes {
		g0, g1 := p*ng/passes, (p+1)*ng/passes
		r0, r1 := g0*groupRanges, min(g1*groupRanges, nr)
		distribute(r0, r1)
		scanGroups(blocks, groups, loose, found, g0, g1, nr, bounds)
		clear(loose[r0:r1])
	}
	var out []uint64
	for _, f := range found {
		out = append(out, f...)
	}
	return out
}

// scanGroups finds the duplicate values of the ranges of groups g0 to g1
// (excluded), on parallel goroutines, into found.
func scanGroups(blocks []*record.Block, groups [][]int32, loose, found [][]uint64, g0, g1, nr int, bounds func(int) (uint64, uint64)) {
	var next atomic.Int64
	next.Store(int64(g0))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), g1-g0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var set idSet
			var buf []uint64
			var seg []int // seg[2i], seg[2i+1]: where segment i is in buf, then how far it is used
			for {
				g := int(next.Add(1) - 1)
				if g >= g1 {
					return
				}
				r0, r1 := g*groupRanges, min((g+1)*groupRanges, nr)
				lo, _ := bounds(r0)
				_, hi := bounds(r1 - 1)
				// Decode the group's sorted segments, each ascending.
				buf, seg = buf[:0], seg[:0]
				for _, bi := range groups[g] {
					from := len(buf)
					buf = blocks[bi].AppendRange(buf, lo, hi)
					if len(buf) > from {
						seg = append(seg, from, len(buf))
					}
				}
				cursor := make([]int, len(seg)/2)
				for i := range cursor {
					cursor[i] = seg[2*i]
				}
				ends := make([]int, len(cursor))
				for r := r0; r < r1; r++ {
					_, rhi := bounds(r)
					n := len(loose[r])
					for i, c := range cursor {
						e := c
						for end := seg[2*i+1]; e < end && buf[e] <= rhi; e++ {
						}
						ends[i] = e
						n += e - c
					}
					if n < 2 {
						copy(cursor, ends)
						continue
					}
					set.reset(n)
					var dups []uint64
					for _, id := range loose[r] {
						if !set.add(id) {
							dups = append(dups, id)
						}
					}
					for i, c := range cursor {
						for _, id := range buf[c:ends[i]] {
							if !set.add(id) {
								dups = append(dups, id)
							}
						}
					}
					copy(cursor, ends)
					if len(dups) > 0 {
						slices.Sort(dups)
						found[r] = slices.Compact(dups)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// idSet is an open-addressing hash set of IDs, reused across value
// ranges. Zero marks an empty slot; the ID 0 is tracked on the side.
type idSet struct {
	slots   []uint64
	shift   uint
	hasZero bool
}

// reset empties the set and sizes it for n IDs at most half full.
func (s *idSet) reset(n int) {
	size := 1 << bits.Len(uint(2*n-1))
	if size < 16 {
		size = 16
	}
	if cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		s.slots = make([]uint64, size)
	}
	s.shift = uint(64 - bits.Len(uint(size-1)))
	s.hasZero = false
}

// add inserts id and reports whether it was new.
func (s *idSet) add(id uint64) bool {
	if id == 0 {
		had := s.hasZero
		s.hasZero = true
		return !had
	}
	mask := uint64(len(s.slots) - 1)
	// Fibonacci hashing: the multiply spreads the high bits of
	// time-ordered IDs, whose low bits vary least between neighbours.
	i := id * 0x9E3779B97F4A7C15 >> s.shift
	for {
		switch s.slots[i] {
		case 0:
			s.slots[i] = id
			return true
		case id:
			return false
		}
		i = (i + 1) & mask
	}
}

// occurrences collects every occurrence of the given duplicate values
// (ascending) by scanning the blocks whose bounds can hold one.
func occurrences(logs []*record.Log, blocks []*record.Block, owner []int, values []uint64) []Duplicate {
	index := make(map[uint64]int, len(values))
	dups := make([]Duplicate, len(values))
	for i, v := range values {
		index[v] = i
		dups[i].ID = v
	}
	var ids []uint64
	var times []int64
	for bi, b := range blocks {
		// Skip blocks whose bounds hold none of the values.
		j, _ := slices.BinarySearch(values, b.Min)
		if j == len(values) || values[j] > b.Max {
			continue
		}
		worker := logs[owner[bi]].Worker
		ids = b.AppendIDs(ids[:0])
		times = times[:0]
		for k, id := range ids {
			if i, ok := index[id]; ok {
				if len(times) == 0 {
					times = b.AppendTimes(times)
				}
				dups[i].Occurrences = append(dups[i].Occurrences, Occurrence{
					Worker: worker,
					Index:  b.Start + int64(k),
					Time:   times[k],
				})
			}
		}
	}
	for i := range dups {
		slices.SortFunc(dups[i].Occurrences, func(a, b Occurrence) int {
			return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.Worker, b.Worker), cmp.Compare(a.Index, b.Index))
		})
	}
	return dups
}

// wideKey hashes a 128-bit ID to 64 bits.
func wideKey(hi, lo uint64) uint64 {
	z := lo ^ hi*0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// wideDuplicates is Duplicates for logs of 128-bit IDs.
func wideDuplicates(logs []*record.Log) []Duplicate {
	var n int64
	for _, l := range logs {
		n += l.Len()
	}
	if n < 2 {
		return nil
	}
	// Hashes are uniform, so ranges of the hash are cut by its top bits.
	bitsN := bits.Len64(uint64(max(1, n/partSize)))
	shift := uint(64 - bitsN)
	parts := make([][]uint64, 1<<bitsN)
	var los, his []uint64
	var times []int64
	for _, l := range logs {
		for _, b := range l.Blocks() {
			los, his = b.AppendIDs(los[:0]), b.AppendHis(his[:0])
			for j, lo := range los {
				k := wideKey(his[j], lo)
				p := k >> shift
				if bitsN == 0 {
					p = 0
				}
				parts[p] = append(parts[p], k)
			}
		}
	}
	found := make([][]uint64, len(parts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var set idSet
			for {
				r := int(next.Add(1) - 1)
				if r >= len(parts) {
					return
				}
				if len(parts[r]) < 2 {
					continue
				}
				set.reset(len(parts[r]))
				var dups []uint64
				for _, k := range parts[r] {
					if !set.add(k) {
						dups = append(dups, k)
					}
				}
				parts[r] = nil
				found[r] = dups
			}
		}()
	}
	wg.Wait()
	candidates := map[uint64]bool{}
	for _, f := range found {
		for _, k := range f {
			candidates[k] = true
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	// Collect the occurrences of candidate hashes and group them by the
	// full 128-bit ID.
	byID := map[[2]uint64][]Occurrence{}
	for _, l := range logs {
		for _, b := range l.Blocks() {
			los, his = b.AppendIDs(los[:0]), b.AppendHis(his[:0])
			times = times[:0]
			for j, lo := range los {
				hi := his[j]
				if candidates[wideKey(hi, lo)] {
					if len(times) == 0 {
						times = b.AppendTimes(times)
					}
					id := [2]uint64{hi, lo}
					byID[id] = append(byID[id], Occurrence{Worker: l.Worker, Index: b.Start + int64(j), Time: times[j]})
				}
			}
		}
	}
	var dups []Duplicate
	for id, occ := range byID {
		if len(occ) < 2 {
			continue // a hash collision, not a duplicate
		}
		slices.SortFunc(occ, func(a, b Occurrence) int {
			return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.Worker, b.Worker), cmp.Compare(a.Index, b.Index))
		})
		dups = append(dups, Duplicate{ID: id[1], Hi: id[0], Occurrences: occ})
	}
	slices.SortFunc(dups, func(a, b Duplicate) int { return cmp.Or(cmp.Compare(a.Hi, b.Hi), cmp.Compare(a.ID, b.ID)) })
	return dups
}
