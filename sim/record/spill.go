package record

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// Spilling. The logs of one run may share a Spill: once the chunks they
// hold in memory would pass its budget, a log that needs a fresh chunk
// writes its full one to the Spill's temporary file instead, at an offset
// reserved for it (so logs filled by different goroutines write in
// parallel), and carves its next blocks from the same memory. A spilled
// block keeps its metadata (Base, Last, Start, Min, Max, Sorted, restart
// points) in memory; its coded bytes are read back with one ReadAt into
// a pooled buffer when an accessor decodes it (the buffer remembers the
// block, so accessors called one after another on a block read it
// once). Where a block's bytes live changes nothing a caller sees, so a
// run gives the same results spilled or not.
//
// An I/O error never panics: a failed write keeps the chunk in memory
// and stops spilling; a failed read makes the accessor return zeros (as
// many entries as the block has, so callers stay in bounds). Either way
// Err returns the first error, and a run must check it before it trusts
// what it decoded.

// spillFile is the Spill's temporary file: an *os.File, or in tests one
// that fails on demand.
type spillFile interface {
	io.ReaderAt
	io.WriterAt
	io.Closer
}

// Spill is the temporary file that the logs of one run spill sealed
// chunks to when the memory their chunks hold passes a budget. It is safe
// for concurrent use by the goroutines that fill different logs and by
// those that read blocks back.
type Spill struct {
	budget int64
	dir    string
	// open makes the file; tests replace it to inject failures.
	open func(dir string) (spillFile, error)

	mem    atomic.Int64 // bytes of chunks the attached logs hold in memory
	end    atomic.Int64 // bytes reserved in the file
	failed atomic.Bool  // an error happened: spill no more
	mu     sync.Mutex
	f      spillFile
	err    error
	closed bool
	bufs   sync.Pool    // *readBuf
	reads  atomic.Int64 // blocks read back from the file
}

// NewSpill returns a Spill that lets the logs attached to it (Log.SpillTo)
// hold chunks of up to budget bytes in memory before it spills to a file
// made in dir ("" is the system's temporary directory). The file is made
// when the first chunk spills; it has no name, or is unlinked at once
// where the system cannot make a file without one, so nothing is left
// behind however the process ends.
func NewSpill(budget int64, dir string) *Spill {
	return &Spill{budget: budget, dir: dir, open: openSpillFile}
}

// openSpillFile makes the unnamed temporary file.
func openSpillFile(dir string) (spillFile, error) {
	f, err := anonymousFile(dir)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// unlinkedFile makes a named temporary file in dir and unlinks it at
// once: the open file keeps its data.
func unlinkedFile(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "idsim-record-*.spill")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Err returns the first error the Spill met making, writing or reading
// its file, or nil. Results decoded from spilled blocks are wrong if it
// is not nil.
func (s *Spill) Err() error {
	if s == nil || !s.failed.Load() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Size returns the bytes spilled to the file so far: its size.
func (s *Spill) Size() int64 {
	if s == nil {
		return 0
	}
	return s.end.Load()
}

// Close removes the file (it has no name; closing frees its space). The
// attached logs' spilled blocks cannot be read after it.
func (s *Spill) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// fail keeps err if it is the first.
func (s *Spill) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	s.failed.Store(true)
}

// file returns the spill file, making it on first use.
func (s *Spill) file() (spillFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if s.closed {
		s.err = errors.New("record: a log spilled after its Spill was closed")
		s.failed.Store(true)
		return nil, s.err
	}
	if s.f == nil {
		f, err := s.open(s.dir)
		if err != nil {
			s.err = fmt.Errorf("making the file the record spills to: %w", err)
			s.failed.Store(true)
			return nil, s.err
		}
		s.f = f
	}
	return s.f, nil
}

// spilledChunk is where a spilled chunk's bytes are.
type spilledChunk struct {
	s  *Spill
	f  spillFile
	at int64
}

// SpillTo makes the log spill its sealed chunks to s when the chunks of
// all the logs attached to s would hold more memory than its budget. Call
// it before the first Append; a nil s keeps everything in memory.
func (l *Log) SpillTo(s *Spill) { l.spill = s }

// newChunk returns an empty chunk of capacity size for alloc to carve
// from. With a Spill whose budget the chunk would pass, the log's full
// chunk is written to the file first and its memory reused.
func (l *Log) newChunk(size int) []byte {
	old, from := l.chunk, l.chunkFrom
	// The block being sealed, the log's last, is the new chunk's first.
	l.chunkFrom = len(l.blocks) - 1
	s := l.spill
	if s == nil {
		return make([]byte, 0, size)
	}
	if len(old) > 0 && !s.failed.Load() && s.mem.Load()+int64(size) > s.budget && l.spillOut(old, from) {
		if cap(old) >= size {
			return old[:0]
		}
		s.mem.Add(int64(size - cap(old)))
		return make([]byte, 0, size)
	}
	s.mem.Add(int64(size))
	return make([]byte, 0, size)
}

// spillOut writes chunk, which holds the data of the sealed blocks from
// index from up to the last (excluded), to the spill file, and points
// those blocks at it. It reports whether it did; on an error the blocks
// keep their data in memory.
func (l *Log) spillOut(chunk []byte, from int) bool {
	s := l.spill
	f, err := s.file()
	if err != nil {
		return false
	}
	at := s.end.Add(int64(len(chunk))) - int64(len(chunk))
	if err := writeAt(f, chunk, at); err != nil {
		s.fail(fmt.Errorf("spilling the record to disk: %w", err))
		return false
	}
	c := &spilledChunk{s: s, f: f, at: at}
	off := 0
	for _, b := range l.blocks[from : len(l.blocks)-1] {
		if len(b.data) == 0 {
			continue
		}
		b.disk, b.diskOff, b.diskLen = c, uint32(off), uint32(len(b.data))
		off += len(b.data)
		b.data = nil
	}
	if off != len(chunk) {
		panic(fmt.Sprintf("record: a chunk of %d bytes held %d bytes of blocks", len(chunk), off))
	}
	return true
}

// writeAt writes all of p at offset at.
func writeAt(f spillFile, p []byte, at int64) error {
	n, err := f.WriteAt(p, at)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return err
}

// readBuf is a pooled buffer holding the bytes of the spilled block it
// last read (spilled bytes never change), so that decoding the IDs and
// then the times of a block on one goroutine reads the file once.
type readBuf struct {
	p   []byte
	c   *spilledChunk
	off uint32
}

// bytes returns the block's sealed data: in memory, or read back from
// the spill file into a pooled buffer, which done gives back. It returns
// nil if the read failed (the Spill keeps the error).
func (b *Block) bytes() (p []byte, buf *readBuf) {
	if b.disk == nil {
		return b.data, nil
	}
	c := b.disk
	buf, _ = c.s.bufs.Get().(*readBuf)
	if buf == nil {
		buf = new(readBuf)
	}
	if buf.c == c && buf.off == b.diskOff && len(buf.p) == int(b.diskLen) {
		return buf.p, buf
	}
	if cap(buf.p) < int(b.diskLen) {
		buf.p = make([]byte, b.diskLen)
	}
	buf.p, buf.c = buf.p[:b.diskLen], nil
	c.s.reads.Add(1)
	n, err := c.f.ReadAt(buf.p, c.at+int64(b.diskOff))
	if n == len(buf.p) {
		buf.c, buf.off = c, b.diskOff
		return buf.p, buf
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	c.s.fail(fmt.Errorf("reading the record back from disk: %w", err))
	c.s.bufs.Put(buf)
	return nil, nil
}

// done gives back a buffer bytes returned.
func (b *Block) done(buf *readBuf) {
	if buf != nil {
		b.disk.s.bufs.Put(buf)
	}
}

// zeros appends n zeros to dst: what an accessor returns for a block it
// could not read back (Spill.Err says why).
func zeros[T uint64 | int64](dst []T, n int32) []T {
	return append(dst, make([]T, n)...)
}
