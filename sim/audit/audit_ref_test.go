package audit

// The auditor before it was rewritten for speed, kept verbatim but for
// its names so that tests can compare the two on the same inputs. It
// parses lines with the package's ParseLine.

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

type refStream struct {
	w        *Worker
	last     ID
	lastLine int64
	lastTime int64
	started  bool
}

// refEntry is one ID with its line, for the duplicate check.
type refEntry struct {
	id   ID
	line int64
}

// refRun is the auditor as it was before it was made fast (commit 7d3fb1f),
// kept as the oracle the fast one must agree with.
func refRun(r io.Reader, opt Options) (*Report, error) {
	if opt.ChunkIDs <= 0 {
		opt.ChunkIDs = 4 << 20
	}
	if opt.Examples <= 0 {
		opt.Examples = 20
	}
	rep := &Report{Kinds: map[string]int64{}}
	if opt.Layout != nil {
		rep.SequenceCeiling = opt.Layout.Sequence.Max()
	}
	d := &refDups{opt: opt}
	defer d.close()
	streams := map[int64]*refStream{}
	note := func(list *[]Finding, line int64, format string, args ...any) {
		if len(*list) < opt.Examples {
			*list = append(*list, Finding{Line: line, Text: fmt.Sprintf(format, args...)})
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var line int64
	for sc.Scan() {
		line++
		if opt.Progress != nil && line%(1<<20) == 0 {
			opt.Progress(line)
		}
		if line == 1 && opt.Header {
			continue
		}
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		rep.Lines++
		id, kind, err := ParseLine(text, opt.Column)
		if err != nil {
			rep.Malformed++
			if opt.Strict {
				return rep, fmt.Errorf("line %d: %v", line, err)
			}
			note(&rep.MalformedExamples, line, "%v", err)
			continue
		}
		rep.IDs++
		rep.Kinds[[]string{"number", "uuid", "ulid"}[kind]]++
		if err := d.add(refEntry{id, line}); err != nil {
			return rep, err
		}
		// Decode: a timestamp and, for Snowflake IDs, the worker.
		var ts int64 // Unix ns; 0 when the ID carries no time
		node := int64(-1)
		switch kind {
		case Number:
			if opt.Layout != nil {
				p, t, err := refDecode(opt.Layout, id.Lo)
				if err != nil {
					rep.BeforeEpoch++
					note(&rep.TimeExamples, line, "%d does not decode with layout %s: %v", id.Lo, opt.Layout.Name, err)
					continue
				}
				ts = t
				node = p.Datacenter<<opt.Layout.Worker.Bits | p.Worker
				if opt.Workers != nil && !opt.Workers.Contains(node) {
					rep.UnexpectedWorkers++
					note(&rep.WorkerExamples, line, "%d is from node %d (datacenter %d, worker %d), not one of the expected workers", id.Lo, node, p.Datacenter, p.Worker)
				}
				s := streams[node]
				if s == nil {
					s = &refStream{w: &Worker{Node: node}}
					streams[node] = s
				}
				s.w.IDs++
				s.w.MaxSequence = max(s.w.MaxSequence, uint64(p.Sequence))
			}
		case UUID:
			u := uuid.FromHiLo(id.Hi, id.Lo)
			if t, ok := u.Time(); ok {
				ts = t.UnixNano()
			}
		case ULID:
			ts = ulid.FromHiLo(id.Hi, id.Lo).Time().UnixNano()
		}
		if ts != 0 && !opt.Now.IsZero() && ts > opt.Now.Add(opt.Ahead).UnixNano() {
			rep.Future++
			note(&rep.TimeExamples, line, "%s is from %s, after %s", idText(id, kind), time.Unix(0, ts).UTC().Format(time.RFC3339Nano), opt.Now.UTC().Format(time.RFC3339))
		}
		if !opt.Ordered {
			continue
		}
		key := node
		if kind != Number {
			key = -1
		}
		s := streams[key]
		if s == nil {
			s = &refStream{w: &Worker{Node: key}}
			streams[key] = s
		}
		if s.started {
			if !(s.last.Hi < id.Hi || s.last.Hi == id.Hi && s.last.Lo < id.Lo) {
				rep.OrderViolations++
				s.w.Violations++
				note(&rep.OrderExamples, line, "%s is not greater than %s on line %d%s", idText(id, kind), idText(s.last, kind), s.lastLine, workerSuffix(key))
			}
			if ts != 0 && ts < s.lastTime {
				back := time.Duration(s.lastTime - ts)
				rep.Regressions++
				s.w.Regressions++
				s.w.MaxBehind = max(s.w.MaxBehind, back)
				note(&rep.RegressionExamples, line, "the clock went back %v%s: %s is from %s, the ID on line %d from %s", back, workerSuffix(key),
					idText(id, kind), time.Unix(0, ts).UTC().Format(time.RFC3339Nano), s.lastLine, time.Unix(0, s.lastTime).UTC().Format(time.RFC3339Nano))
			}
		}
		s.started, s.last, s.lastLine = true, id, line
		if ts >= s.lastTime {
			s.lastTime = ts
		}
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("line %d: %w", line+1, err)
	}
	if err := d.finish(rep, func(a, b refEntry) {
		note(&rep.DuplicateExamples, b.line, "%s repeats line %d", idText(a.id, -1), a.line)
	}); err != nil {
		return rep, err
	}
	for key, s := range streams {
		if key >= 0 {
			rep.Workers = append(rep.Workers, *s.w)
		}
	}
	slices.SortFunc(rep.Workers, func(a, b Worker) int { return cmp.Compare(a.Node, b.Node) })
	return rep, nil
}

// dups finds repeated IDs with bounded memory: sorted chunks, spilled to
// files, merged.
type refDups struct {
	opt   Options
	chunk []refEntry
	files []*os.File
}

func (d *refDups) add(e refEntry) error {
	d.chunk = append(d.chunk, e)
	if len(d.chunk) >= d.opt.ChunkIDs {
		return d.spill()
	}
	return nil
}

func refSortEntries(es []refEntry) {
	slices.SortFunc(es, func(a, b refEntry) int {
		return cmp.Or(cmp.Compare(a.id.Hi, b.id.Hi), cmp.Compare(a.id.Lo, b.id.Lo), cmp.Compare(a.line, b.line))
	})
}

func (d *refDups) spill() error {
	refSortEntries(d.chunk)
	f, err := os.CreateTemp(d.opt.TempDir, "idsim-check-*.run")
	if err != nil {
		return fmt.Errorf("spilling sorted IDs: %w", err)
	}
	d.files = append(d.files, f)
	w := bufio.NewWriterSize(f, 1<<20)
	var buf [24]byte
	for _, e := range d.chunk {
		binary.LittleEndian.PutUint64(buf[0:], e.id.Hi)
		binary.LittleEndian.PutUint64(buf[8:], e.id.Lo)
		binary.LittleEndian.PutUint64(buf[16:], uint64(e.line))
		if _, err := w.Write(buf[:]); err != nil {
			return fmt.Errorf("spilling sorted IDs: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("spilling sorted IDs: %w", err)
	}
	d.chunk = d.chunk[:0]
	return nil
}

// run reads one sorted run.
type refRunFile struct {
	r   *bufio.Reader
	cur refEntry
	ok  bool
}

func (r *refRunFile) next() error {
	var buf [24]byte
	if _, err := io.ReadFull(r.r, buf[:]); err != nil {
		r.ok = false
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	r.cur = refEntry{ID{binary.LittleEndian.Uint64(buf[0:]), binary.LittleEndian.Uint64(buf[8:])}, int64(binary.LittleEndian.Uint64(buf[16:]))}
	r.ok = true
	return nil
}

// finish merges the runs (and the chunk in memory) in ID order and calls
// found for each repeat with the first occurrence.
func (d *refDups) finish(rep *Report, found func(first, repeat refEntry)) error {
	refSortEntries(d.chunk)
	rep.SpillFiles = len(d.files)
	runs := make([]*refRunFile, 0, len(d.files))
	for _, f := range d.files {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r := &refRunFile{r: bufio.NewReaderSize(f, 1<<20)}
		if err := r.next(); err != nil {
			return err
		}
		runs = append(runs, r)
	}
	mem := 0
	var first refEntry
	have := false
	prevDup := false
	for {
		// The smallest head among the runs and the in-memory chunk.
		best := -1
		var e refEntry
		for i, r := range runs {
			if r.ok && (best < 0 || refLess(r.cur, e)) {
				best, e = i, r.cur
			}
		}
		if mem < len(d.chunk) && (best < 0 || refLess(d.chunk[mem], e)) {
			best, e = len(runs), d.chunk[mem]
		}
		if best < 0 {
			return nil
		}
		if best == len(runs) {
			mem++
		} else if err := runs[best].next(); err != nil {
			return err
		}
		if have && first.id == e.id {
			rep.Duplicates++
			if !prevDup {
				rep.DuplicatedIDs++
			}
			prevDup = true
			found(first, e)
			continue
		}
		first, have, prevDup = e, true, false
	}
}

func refLess(a, b refEntry) bool {
	if a.id != b.id {
		return a.id.Hi < b.id.Hi || a.id.Hi == b.id.Hi && a.id.Lo < b.id.Lo
	}
	return a.line < b.line
}

func (d *refDups) close() {
	for _, f := range d.files {
		name := f.Name()
		f.Close()
		os.Remove(name)
	}
}

// refDecode splits a Snowflake ID, computing its time in int64 nanoseconds
// when that cannot overflow (Layout.Decode uses big integers, which
// would dominate a long audit).
func refDecode(l *snowflake.Layout, id uint64) (snowflake.Parts, int64, error) {
	field := func(f snowflake.Field) int64 { return int64(id >> f.Shift & f.Max()) }
	tick, unit := field(l.Time), int64(l.Unit)
	epoch := l.Epoch.UnixNano()
	if unit > 0 && tick < (math.MaxInt64-max(epoch, 0))/unit && l.Epoch.Year() > 1677 {
		used := l.Time.Max()<<l.Time.Shift | l.Datacenter.Max()<<l.Datacenter.Shift | l.Worker.Max()<<l.Worker.Shift | l.Sequence.Max()<<l.Sequence.Shift
		if id&^used == 0 {
			p := snowflake.Parts{Tick: tick, Datacenter: field(l.Datacenter), Worker: field(l.Worker), Sequence: field(l.Sequence)}
			return p, epoch + tick*unit, nil
		}
	}
	p, err := l.Decode(id)
	if err != nil {
		return p, 0, err
	}
	return p, p.Time.UnixNano(), nil
}
