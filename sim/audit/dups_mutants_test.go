package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestUnlinkedFile: the fallback for file systems without O_TMPFILE
// gives an open file that keeps its data and leaves no name behind.
func TestUnlinkedFile(t *testing.T) {
	dir := t.TempDir()
	f, left, err := unlinkedFile(dir)
	if err != nil || left != "" {
		t.Fatalf("unlinkedFile: %v, left %q", err, left)
	}
	defer f.Close()
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("left in the directory: %v", names)
	}
	if _, err := f.WriteString("kept"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "kept" {
		t.Errorf("read back %q, %v", b, err)
	}
	if _, _, err := unlinkedFile(dir + "/missing"); err == nil {
		t.Error("a file made in a missing directory")
	}
}

// TestCheckTempDir: the probe leaves neither a file nor an open
// descriptor behind, and a directory it cannot write in is reported.
func TestCheckTempDir(t *testing.T) {
	dir := t.TempDir()
	fds := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(es)
	}
	before := fds()
	for range 5 {
		if err := CheckTempDir(dir); err != nil {
			t.Fatal(err)
		}
	}
	if after := fds(); after != before {
		t.Errorf("%d open descriptors before the probes, %d after", before, after)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("left in the directory: %v", names)
	}
	if err := CheckTempDir(dir + "/missing"); err == nil || !strings.Contains(err.Error(), "cannot write temporary files for the duplicate check") {
		t.Errorf("a missing directory: %v", err)
	}
}

// TestMergeCancelled: merge checks its context before the first entry,
// so a cancelled audit stops there with the context's error.
func TestMergeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run := []entry{{ID{Lo: 1}, 1}, {ID{Lo: 2}, 2}}
	n := 0
	err := merge(ctx, []*cursor{{mem: run}, {mem: run}}, func(entry) error { n++; return nil })
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("merge with a cancelled context: %v after %d entries", err, n)
	}
}

// lineReader hands out one line per Read and calls hook before line at.
type lineReader struct {
	n, at, total int
	hook         func()
}

func (r *lineReader) Read(p []byte) (int, error) {
	if r.n == r.total {
		return 0, io.EOF
	}
	r.n++
	if r.n == r.at {
		r.hook()
	}
	return copy(p, fmt.Sprintf("%d\n", r.n)), nil
}

// TestSpillFailure: when a sorted run cannot be written (here the
// temporary directory is gone) the audit stops with that error, whether
// the reader or the end of the input sees it first.
func TestSpillFailure(t *testing.T) {
	dir := t.TempDir() + "/spill"
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &lineReader{at: 3, total: 5000, hook: func() { os.Remove(dir) }}
	rep, err := Run(r, Options{ChunkIDs: 1, TempDir: dir})
	if err == nil || !strings.HasPrefix(err.Error(), "spilling sorted IDs: ") || rep.IDs == 5000 {
		t.Errorf("with the directory removed: %d IDs read, %v; want the spill's error before the end", rep.IDs, err)
	}
}

// TestSpillBytes: the spill files' total size is what their entries
// take: three one-byte varints for each of the consecutive IDs 1-8.
func TestSpillBytes(t *testing.T) {
	rep, err := Run(strings.NewReader("1\n2\n3\n4\n5\n6\n7\n8\n"), Options{ChunkIDs: 4, TempDir: t.TempDir()})
	if err != nil || rep.SpillFiles != 2 || rep.SpillBytes != 24 || rep.IDs != 8 || rep.Duplicates != 0 {
		t.Errorf("%d spill files of %d bytes, %d IDs, %d duplicates, %v; want 2 of 24, 8, 0", rep.SpillFiles, rep.SpillBytes, rep.IDs, rep.Duplicates, err)
	}
}

// TestRadixSortOneBit sorts entries that differ in a single bit of a
// single byte, for every byte of both halves: the byte's pass must not
// be skipped, whichever bit it is.
func TestRadixSortOneBit(t *testing.T) {
	for b := range 16 {
		for _, bit := range []uint{0, 7} {
			v := uint64(1) << (8*uint(b%8) + bit)
			one := ID{Lo: v}
			if b >= 8 {
				one = ID{Hi: v}
			}
			es := []entry{{one, 1}, {ID{}, 2}, {one, 3}, {ID{}, 4}}
			want := []entry{{ID{}, 2}, {ID{}, 4}, {one, 1}, {one, 3}}
			got, _ := radixSort(es, make([]entry, len(es)))
			if !slices.Equal(got, want) {
				t.Errorf("byte %d bit %d: %v, want %v", b, bit, got, want)
			}
			es = []entry{{one, 1}, {ID{}, 2}}
			if got, _ := radixSort(es, make([]entry, 2)); !slices.Equal(got, []entry{{ID{}, 2}, {one, 1}}) {
				t.Errorf("two entries, byte %d bit %d: %v", b, bit, got)
			}
		}
	}
}

// TestSpillInWholePieces: runs are sorted in whole pieces, and the runs
// in memory are spilled once they reach ChunkIDs: with pieces of 2 and
// chunks of 3, six IDs make one spill file of four entries and leave a
// run of two in memory.
func TestSpillInWholePieces(t *testing.T) {
	rep, err := Run(strings.NewReader("1\n2\n3\n4\n5\n6\n"), Options{ChunkIDs: 3, pieceIDs: 2, TempDir: t.TempDir()})
	if err != nil || rep.SpillFiles != 1 || rep.SpillBytes != 12 || rep.IDs != 6 || rep.Duplicates != 0 {
		t.Errorf("%d spill files of %d bytes, %d IDs, %d duplicates, %v; want 1 of 12, 6, 0", rep.SpillFiles, rep.SpillBytes, rep.IDs, rep.Duplicates, err)
	}
}

// TestSpillFailureAtEnd: the spill made for the last piece, sent when
// the input ends, fails; the audit returns that error, which is the
// missing directory's.
func TestSpillFailureAtEnd(t *testing.T) {
	dir := t.TempDir() + "/spill"
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &lineReader{at: 1, total: 4, hook: func() { os.Remove(dir) }}
	rep, err := Run(r, Options{ChunkIDs: 4, pieceIDs: 3, TempDir: dir})
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "spilling sorted IDs: ") || rep.IDs != 4 {
		t.Errorf("%d IDs read, %v; want all 4 and the missing directory's error", rep.IDs, err)
	}
	// And the same when the reader meets it.
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r = &lineReader{at: 3, total: 5000, hook: func() { os.Remove(dir) }}
	if _, err := Run(r, Options{ChunkIDs: 1, TempDir: dir}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("spilling every ID: %v, want the missing directory's error", err)
	}
}

// TestCloseWaitsForSorter: close, as when an audit stops early, waits
// for the sorter to end and takes its result, so no goroutine is left
// working after RunContext returns.
func TestCloseWaitsForSorter(t *testing.T) {
	d := newDups(context.Background(), Options{ChunkIDs: 2, pieceIDs: 1, TempDir: t.TempDir()})
	for i := range 5 {
		if err := d.add(entry{ID{Lo: uint64(i)}, int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	d.close()
	select {
	case err := <-d.done:
		t.Errorf("the sorter ended after close returned (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestMergeCancelledMidway: a context cancelled during a merge stops it
// within 2^16 entries, with the context's error.
func TestMergeCancelledMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := make([]entry, 100_000)
	for i := range run {
		run[i] = entry{ID{Lo: uint64(i)}, int64(i + 1)}
	}
	n := 0
	err := merge(ctx, []*cursor{{mem: run}}, func(entry) error { n++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || n > 1<<16 {
		t.Errorf("cancelled at the first entry: %v after %d entries, want the context's error within 65536", err, n)
	}
}

// TestCorruptRunFile: a run file that does not decode (a varint too long
// or cut short, in any of an entry's three fields) is an error, at the
// start of a merge and in its middle, never a shorter run.
func TestCorruptRunFile(t *testing.T) {
	long := strings.Repeat("\xff", 11)
	for _, body := range []string{long, "\x80", "\x00" + long, "\x00", "\x00\x01" + long, "\x00\x01", "\x00\x01\x80"} {
		for _, lead := range []string{"", "\x00\x01\x02"} { // a good entry (ID 1, line 1) first, or not
			f, err := os.CreateTemp(t.TempDir(), "run")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(lead + body); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var got []entry
			err = merge(context.Background(), []*cursor{{r: newRunReader(f, int64(len(lead+body)))}, {mem: []entry{{ID{Lo: 5}, 9}}}},
				func(e entry) error { got = append(got, e); return nil })
			if !errors.Is(err, errCorrupt) {
				t.Errorf("%q: %v after %v, want the corrupt-file error", lead+body, err, got)
			}
			f.Close()
		}
	}
}

// TestSpillRunsOverTheWriteBuffer spills runs several times the run
// writer's 1 MiB buffer, so that each is written in many flushes, and
// checks every duplicate and example against brute force. Every ID
// occurs twice, so that an entry lost at a flush changes the count.
func TestSpillRunsOverTheWriteBuffer(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ids := make([]uint64, 0, 600_000)
	for range 300_000 {
		id := rng.Uint64()
		ids = append(ids, id, id)
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	rep := checkDups(t, "runs over 1 MiB", ids, Options{ChunkIDs: 200_000, pieceIDs: 50_000})
	if rep.SpillFiles < 2 || rep.SpillBytes < 3<<20*int64(rep.SpillFiles)/2 || rep.Duplicates != 300_000 {
		t.Errorf("%d spill files of %d bytes in all, %d duplicates: want runs well over 1 MiB each and 300000", rep.SpillFiles, rep.SpillBytes, rep.Duplicates)
	}
}

var errInjected = errors.New("injected fault")

// faultyFile is a spill file that fails its failWrite-th write,
// failRead-th read or failSeek-th seek (counted from 1; 0 is never),
// that one only, with nothing done. Every other call goes to the file.
type faultyFile struct {
	*os.File
	failWrite, failRead, failSeek int
	writes, reads, seeks          int
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if f.writes++; f.writes == f.failWrite {
		return 0, errInjected
	}
	return f.File.Write(p)
}

func (f *faultyFile) Read(p []byte) (int, error) {
	if f.reads++; f.reads == f.failRead {
		return 0, errInjected
	}
	return f.File.Read(p)
}

func (f *faultyFile) Seek(off int64, whence int) (int64, error) {
	if f.seeks++; f.seeks == f.failSeek {
		return 0, errInjected
	}
	return f.File.Seek(off, whence)
}

// faultyOpener makes real spill files wrapped as faultyFile, each a
// copy of tmpl, and keeps them in made.
func faultyOpener(tmpl faultyFile, made *[]*faultyFile) func(string) (spillFile, string, error) {
	return func(dir string) (spillFile, string, error) {
		f, left, err := anonymousFile(dir)
		if err != nil {
			return nil, "", err
		}
		ff := tmpl
		ff.File = f
		*made = append(*made, &ff)
		return &ff, left, nil
	}
}

// TestSpillFileFaults: a temporary file that fails once — a write in the
// middle of a run (the run writer's buffer full), the write of a run's
// end, the read of a run back, the seek back to its start — stops the
// audit with that error, though every later call would succeed; a run
// is never silently cut short or lost.
func TestSpillFileFaults(t *testing.T) {
	// 150000 random IDs, each twice, in one spill: about 11 bytes an
	// entry, so the run takes more than one 1 MiB write.
	rng := rand.New(rand.NewPCG(13, 14))
	var big strings.Builder
	for range 150_000 {
		id := rng.Uint64() >> 1
		fmt.Fprintf(&big, "%d\n%d\n", id, id)
	}
	small := "1\n2\n2\n3\n"
	// Without a fault: the long run takes two writes (one mid-run, one
	// at its end) and several reads back, the short one a single write.
	for _, c := range []struct {
		input               string
		dups, writes, reads int
	}{{big.String(), 150_000, 2, 4}, {small, 1, 1, 2}} {
		var made []*faultyFile
		rep, err := Run(strings.NewReader(c.input), Options{ChunkIDs: strings.Count(c.input, "\n"), TempDir: t.TempDir(), openSpill: faultyOpener(faultyFile{}, &made)})
		if err != nil || rep.Duplicates != int64(c.dups) || len(made) != 1 {
			t.Fatalf("without a fault: %v, %d duplicates, %d spill files; want %d, 1", err, rep.Duplicates, len(made), c.dups)
		}
		if f := made[0]; f.writes != c.writes || f.reads < c.reads || f.seeks != 1 {
			t.Fatalf("without a fault: %d writes, %d reads, %d seeks; want %d, at least %d, 1", f.writes, f.reads, f.seeks, c.writes, c.reads)
		}
	}
	for _, c := range []struct {
		name   string
		input  string
		fault  faultyFile
		prefix string
	}{
		{"a write mid-run", big.String(), faultyFile{failWrite: 1}, "spilling sorted IDs: "},
		{"the write of a run's end", small, faultyFile{failWrite: 1}, "spilling sorted IDs: "},
		{"the last write of a long run", big.String(), faultyFile{failWrite: 2}, "spilling sorted IDs: "},
		{"a read back", small, faultyFile{failRead: 1}, "reading back sorted IDs: "},
		{"a read back mid-run", big.String(), faultyFile{failRead: 3}, "reading back sorted IDs: "},
		{"the seek back", small, faultyFile{failSeek: 1}, ""},
	} {
		var made []*faultyFile
		n := strings.Count(c.input, "\n")
		rep, err := Run(strings.NewReader(c.input), Options{ChunkIDs: n, TempDir: t.TempDir(), openSpill: faultyOpener(c.fault, &made)})
		if !errors.Is(err, errInjected) || !strings.HasPrefix(err.Error(), c.prefix) {
			t.Errorf("%s: %v (%d duplicates), want the injected fault prefixed %q", c.name, err, rep.Duplicates, c.prefix)
		}
		if len(made) != 1 {
			t.Errorf("%s: %d spill files, want 1", c.name, len(made))
			continue
		}
		f := made[0]
		if f.writes < f.failWrite || f.reads < f.failRead || f.seeks < f.failSeek {
			t.Errorf("%s: the fault was not reached (%d writes, %d reads, %d seeks)", c.name, f.writes, f.reads, f.seeks)
		}
	}
}
