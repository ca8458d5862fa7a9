package record

import (
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// shapes are the kinds of logs the spill tests fill: a busy Snowflake
// worker, one that steps back now and then (unsorted blocks), and random
// 128-bit IDs.
var spillShapes = []struct {
	name string
	wide bool
	next func(r *rand.Rand, p entry) entry
}{
	{"snowflake", false, func(r *rand.Rand, p entry) entry {
		d := uint64(1)
		if r.IntN(100) == 0 {
			d = 1<<22 - uint64(r.IntN(4096))
		}
		return entry{lo: p.lo + d, t: p.t + int64(r.ExpFloat64()*10_000)}
	}},
	{"steps-back", false, func(r *rand.Rand, p entry) entry {
		lo := p.lo + uint64(r.IntN(3))
		if r.IntN(500) == 0 {
			lo -= 1 << 30
		}
		return entry{lo: lo, t: p.t + int64(r.IntN(3))}
	}},
	{"random-wide", true, func(r *rand.Rand, p entry) entry {
		return entry{hi: r.Uint64(), lo: r.Uint64(), t: p.t + int64(r.IntN(1_000_000))}
	}},
}

// fillShape appends n entries of a shape to a new log attached to s.
func fillShape(wide bool, n int, seed uint64, s *Spill, next func(r *rand.Rand, p entry) entry) *Log {
	r := rand.New(rand.NewPCG(seed, 9))
	l := New(int(seed))
	if wide {
		l = NewWide(int(seed))
	}
	l.SpillTo(s)
	p := entry{lo: 1 << 40, t: 1_000}
	for range n {
		p = next(r, p)
		if wide {
			l.Append128(p.hi, p.lo, p.t)
		} else {
			l.Append(p.lo, p.t)
		}
	}
	return l
}

// readAll decodes every accessor of every block, for comparing logs.
// blockMeta is what a block keeps in memory, spilled or not.
type blockMeta struct {
	base, last, start int64
	min, max          uint64
	sorted            bool
}

func readAll(l *Log) (ids, his []uint64, times []int64, ranges [][]uint64, meta []blockMeta) {
	for _, b := range l.Blocks() {
		ids = b.AppendIDs(ids)
		his = b.AppendHis(his)
		times = b.AppendTimes(times)
		if b.Len() > 0 {
			mid := b.Min + (b.Max-b.Min)/3
			ranges = append(ranges, b.AppendRange(nil, mid, mid+(b.Max-b.Min)/4), b.AppendRange(nil, b.Min, b.Max))
		}
		meta = append(meta, blockMeta{b.Base, b.Last, b.Start, b.Min, b.Max, b.Sorted})
	}
	return
}

// TestSpillSame fills logs with a Spill whose budget is 0, so every chunk
// that can spill does, and compares everything the blocks say with the
// same logs kept in memory.
func TestSpillSame(t *testing.T) {
	for _, sh := range spillShapes {
		s := NewSpill(0, t.TempDir())
		mem := fillShape(sh.wide, 60_000, 5, nil, sh.next)
		disk := fillShape(sh.wide, 60_000, 5, s, sh.next)
		spilled := 0
		for _, b := range disk.Blocks() {
			if b.disk != nil {
				spilled++
			}
		}
		if spilled == 0 || s.Size() == 0 {
			t.Fatalf("%s: nothing spilled", sh.name)
		}
		if mem.Bytes() != disk.Bytes() || mem.Len() != disk.Len() {
			t.Errorf("%s: Bytes %d, Len %d spilled; %d, %d in memory", sh.name, disk.Bytes(), disk.Len(), mem.Bytes(), mem.Len())
		}
		i1, h1, t1, r1, m1 := readAll(mem)
		i2, h2, t2, r2, m2 := readAll(disk)
		if !slices.Equal(i1, i2) || !slices.Equal(h1, h2) || !slices.Equal(t1, t2) || !slices.Equal(m1, m2) ||
			!slices.EqualFunc(r1, r2, func(a, b []uint64) bool { return slices.Equal(a, b) }) {
			t.Errorf("%s: a spilled log reads back differently", sh.name)
		}
		// The IDs then the times of each block: one read per block (a
		// little more where the pool drops buffers, as under -race).
		before := s.reads.Load()
		for _, b := range disk.Blocks() {
			b.AppendIDs(nil)
			b.AppendTimes(nil)
		}
		if reads := s.reads.Load() - before; reads < int64(spilled) || reads >= int64(2*spilled) {
			t.Errorf("%s: %d reads for %d spilled blocks, decoded twice each", sh.name, reads, spilled)
		}
		if err := s.Err(); err != nil {
			t.Errorf("%s: %v", sh.name, err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestSpillBudget spills only what passes the budget: with room for a
// few chunks, the early blocks spill and the memory the chunks hold
// stays near the budget.
func TestSpillBudget(t *testing.T) {
	s := NewSpill(1<<20, t.TempDir())
	defer s.Close()
	l := fillShape(false, 2_000_000, 1, s, spillShapes[0].next)
	if s.Size() == 0 {
		t.Fatal("nothing spilled")
	}
	if m := s.mem.Load(); m > 1<<20+64<<10 {
		t.Errorf("chunks hold %d bytes in memory, budget %d", m, 1<<20)
	}
	// The chunks made before the budget was reached stay in memory;
	// every later one spills when it is full, but the current one.
	blocks := l.Blocks()
	if blocks[0].disk != nil || blocks[len(blocks)/2].disk == nil || blocks[len(blocks)-2].disk != nil {
		t.Error("want the first and the last blocks in memory, those between spilled")
	}
	if s.Size()+s.mem.Load() < l.Bytes()/2 {
		t.Errorf("spilled %d + %d in memory for a log of %d bytes", s.Size(), s.mem.Load(), l.Bytes())
	}
}

// TestSpillConcurrent fills logs sharing a Spill on parallel goroutines
// and reads them back in parallel (run with -race).
func TestSpillConcurrent(t *testing.T) {
	s := NewSpill(256<<10, t.TempDir())
	defer s.Close()
	logs := make([]*Log, 8)
	var wg sync.WaitGroup
	for i := range logs {
		wg.Go(func() { logs[i] = fillShape(false, 100_000, uint64(i), s, spillShapes[i%2].next) })
	}
	wg.Wait()
	got := make([][]uint64, len(logs))
	for i := range logs {
		wg.Go(func() { got[i], _, _, _, _ = readAll(logs[i]) })
	}
	wg.Wait()
	for i := range logs {
		want, _, _, _, _ := readAll(fillShape(false, 100_000, uint64(i), nil, spillShapes[i%2].next))
		if !slices.Equal(got[i], want) {
			t.Errorf("log %d reads back differently", i)
		}
	}
	if s.Size() == 0 || s.Err() != nil {
		t.Errorf("spilled %d bytes, error %v", s.Size(), s.Err())
	}
}

// faultyFile fails writes after a number of them, or every read.
type faultyFile struct {
	f          *os.File
	writesLeft atomic.Int64
	failReads  atomic.Bool
	short      bool // fail by writing or reading less, with no error
}

var errInjected = errors.New("injected: no space left on device")

func (f *faultyFile) WriteAt(p []byte, at int64) (int, error) {
	if f.writesLeft.Add(-1) < 0 {
		if f.short {
			return len(p) / 2, nil
		}
		return 0, errInjected
	}
	return f.f.WriteAt(p, at)
}

func (f *faultyFile) ReadAt(p []byte, at int64) (int, error) {
	if f.failReads.Load() {
		if f.short {
			return len(p) - 1, nil
		}
		return 0, errInjected
	}
	return f.f.ReadAt(p, at)
}

func (f *faultyFile) Close() error { return f.f.Close() }

// TestSpillErrors injects failures making, writing and reading the
// file: none panics, Err names what failed, and what was not spilled
// reads back as it was appended.
func TestSpillErrors(t *testing.T) {
	sh := spillShapes[0]
	want, _, wantTimes, _, _ := readAll(fillShape(false, 60_000, 2, nil, sh.next))
	t.Run("open", func(t *testing.T) {
		s := NewSpill(0, t.TempDir())
		s.open = func(string) (spillFile, error) { return nil, errInjected }
		l := fillShape(false, 60_000, 2, s, sh.next)
		if err := s.Err(); err == nil || !strings.Contains(err.Error(), "making the file the record spills to") || !errors.Is(err, errInjected) {
			t.Errorf("Err: %v", err)
		}
		if got, _, _, _, _ := readAll(l); !slices.Equal(got, want) {
			t.Error("the log kept in memory reads back differently")
		}
	})
	for _, short := range []bool{false, true} {
		t.Run("write", func(t *testing.T) {
			s := NewSpill(0, t.TempDir())
			ff := &faultyFile{short: short}
			ff.writesLeft.Store(3)
			s.open = func(dir string) (spillFile, error) {
				f, err := anonymousFile(dir)
				ff.f = f
				return ff, err
			}
			l := fillShape(false, 60_000, 2, s, sh.next)
			if err := s.Err(); err == nil || !strings.Contains(err.Error(), "spilling the record to disk") {
				t.Errorf("Err: %v", err)
			}
			if got, _, times, _, _ := readAll(l); !slices.Equal(got, want) || !slices.Equal(times, wantTimes) {
				t.Error("a log whose spilling failed reads back differently")
			}
			if ff.writesLeft.Load() != -1 {
				t.Errorf("spilling went on after the failure: %d", ff.writesLeft.Load())
			}
			s.Close()
		})
		t.Run("read", func(t *testing.T) {
			s := NewSpill(0, t.TempDir())
			ff := &faultyFile{short: short}
			ff.writesLeft.Store(1 << 40)
			s.open = func(dir string) (spillFile, error) {
				f, err := anonymousFile(dir)
				ff.f = f
				return ff, err
			}
			l := fillShape(false, 60_000, 2, s, sh.next)
			ff.failReads.Store(true)
			ids, _, times, _, _ := readAll(l)
			if len(ids) != len(want) || len(times) != len(want) {
				t.Errorf("%d IDs and %d times for %d entries", len(ids), len(times), len(want))
			}
			if err := s.Err(); err == nil || !strings.Contains(err.Error(), "reading the record back from disk") {
				t.Errorf("Err: %v", err)
			}
			s.Close()
		})
	}
}

// TestSpillClosed makes a Spill that is closed refuse to spill more, and
// a nil Spill answer.
func TestSpillClosed(t *testing.T) {
	var none *Spill
	if none.Err() != nil || none.Size() != 0 || none.Close() != nil {
		t.Error("a nil Spill")
	}
	s := NewSpill(0, t.TempDir())
	s.Close()
	fillShape(false, 20_000, 1, s, spillShapes[0].next)
	if s.Err() == nil {
		t.Error("a closed Spill spilled")
	}
}
