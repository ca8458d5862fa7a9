package record

import (
	"math"
	"testing"
)

func TestAppendAndEach(t *testing.T) {
	l := New(4)
	var want [][2]int64
	tm := int64(1000)
	for i := 0; i < 50000; i++ {
		// Mostly small steps, sometimes a gap longer than a uint32 offset.
		if i%9999 == 0 {
			tm += math.MaxUint32 + 7
		}
		tm += int64(i % 13)
		id := uint64(i*7) ^ 0x55
		l.Append(id, tm)
		want = append(want, [2]int64{int64(id), tm})
	}
	if l.Len() != int64(len(want)) {
		t.Fatalf("Len = %d", l.Len())
	}
	n := 0
	l.Each(func(i int64, id uint64, tt int64) bool {
		if i != int64(n) || int64(id) != want[n][0] || tt != want[n][1] {
			t.Fatalf("entry %d: got (%d, %d, %d) want (%d, %d)", n, i, id, tt, want[n][0], want[n][1])
		}
		n++
		return true
	})
	if n != len(want) {
		t.Fatalf("Each visited %d", n)
	}
	for _, b := range l.Blocks() {
		for _, id := range b.IDs {
			if id < b.Min || id > b.Max {
				t.Fatalf("id %d outside block bounds [%d, %d]", id, b.Min, b.Max)
			}
		}
	}
}

func TestCompact(t *testing.T) {
	l := New(0)
	for i := 0; i < 1_000_000; i++ {
		l.Append(uint64(i), int64(i)*50_000)
	}
	if per := float64(l.Bytes()) / float64(l.Len()); per > 12.5 {
		t.Errorf("%.2f bytes per entry, want at most 12.5", per)
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

func TestWide(t *testing.T) {
	l := NewWide(2)
	for i := 0; i < 3000; i++ {
		l.Append128(uint64(i/10), uint64(i%10), int64(i))
	}
	l.Append128(0, 0, 5000) // a repeat breaks the order of the last block
	blocks := l.Blocks()
	n := 0
	for bi, b := range blocks {
		if len(b.His) != len(b.IDs) {
			t.Fatalf("block %d: %d highs for %d lows", bi, len(b.His), len(b.IDs))
		}
		for j := range b.IDs {
			i := int(b.Start) + j
			if i < 3000 && (b.His[j] != uint64(i/10) || b.IDs[j] != uint64(i%10) || b.Time(j) != int64(i)) {
				t.Fatalf("entry %d: %d/%d at %d", i, b.His[j], b.IDs[j], b.Time(j))
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
