// Package audit checks IDs a real system produced, read as text, one per
// line: duplicates (with both line numbers), per-worker order
// violations, clock regressions inferred from the timestamps inside the
// IDs, IDs from the future or from before the epoch, unexpected worker
// IDs, and how close each worker came to its sequence ceiling.
//
// It streams. Per-worker state is a few words per worker; duplicates
// need every ID once, so IDs are sorted in chunks of bounded size, spilled
// to temporary files and merged: memory stays at the chunk size whatever
// the length of the file.
package audit

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

// Options configure an audit.
type Options struct {
	// Layout decodes numeric IDs as Snowflake IDs; nil leaves them
	// undecoded (duplicates only).
	Layout *snowflake.Layout
	// Column takes that comma-separated field of each line (1-based); 0
	// takes the whole line.
	Column int
	// Header skips the first line.
	Header bool
	// Now is the time IDs must not be after; Ahead is the clock skew
	// allowed before an ID counts as from the future.
	Now   time.Time
	Ahead time.Duration
	// Workers, if not nil, is the set of node IDs expected (datacenter
	// and worker fields together, as SplitNode numbers them).
	Workers map[int64]bool
	// Ordered says the lines of a worker are in the order its IDs were
	// issued (a log, not a sorted export): order violations and clock
	// regressions are then reported. For UUIDs and ULIDs, which carry no
	// worker, the whole file is one stream.
	Ordered bool
	// Strict stops at the first malformed line.
	Strict bool
	// ChunkIDs is how many IDs are sorted in memory before spilling to a
	// temporary file; 0 means 4 Mi (64 MiB). TempDir is where; "" is the
	// system default.
	ChunkIDs int
	TempDir  string
	// Progress, if set, is called about every million lines.
	Progress func(lines int64)
	// Examples caps the findings listed per kind; 0 means 20.
	Examples int
}

// Finding is one reported problem, at a line of the file.
type Finding struct {
	Line int64
	Text string
}

// Worker sums up one worker's IDs.
type Worker struct {
	Node        int64
	IDs         int64
	MaxSequence uint64
	// Regressions counts IDs whose timestamp was behind the worker's
	// previous one; MaxBehind is the largest step back.
	Regressions int64
	MaxBehind   time.Duration
	Violations  int64
}

// Report is the outcome of an audit.
type Report struct {
	Lines, IDs, Malformed int64
	Kinds                 map[string]int64
	// Duplicates counts extra copies; DuplicateExamples shows some.
	Duplicates, DuplicatedIDs int64
	DuplicateExamples         []Finding
	MalformedExamples         []Finding
	OrderViolations           int64
	OrderExamples             []Finding
	Regressions               int64
	RegressionExamples        []Finding
	Future, BeforeEpoch       int64
	TimeExamples              []Finding
	UnexpectedWorkers         int64
	WorkerExamples            []Finding
	// Workers lists per-worker figures, by node ID (Snowflake layouts).
	Workers []Worker
	// SequenceCeiling is the layout's largest sequence number.
	SequenceCeiling uint64
	// SpillFiles counts the sorted runs written for the duplicate check.
	SpillFiles int
}

// Clean reports whether the audit found nothing wrong.
func (r *Report) Clean() bool {
	return r.Malformed == 0 && r.Duplicates == 0 && r.OrderViolations == 0 && r.Regressions == 0 &&
		r.Future == 0 && r.BeforeEpoch == 0 && r.UnexpectedWorkers == 0
}

type stream struct {
	w        *Worker
	last     ID
	lastLine int64
	lastTime int64
	started  bool
}

// entry is one ID with its line, for the duplicate check.
type entry struct {
	id   ID
	line int64
}

// Run audits the IDs read from r.
func Run(r io.Reader, opt Options) (*Report, error) {
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
	d := &dups{opt: opt}
	defer d.close()
	streams := map[int64]*stream{}
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
		if err := d.add(entry{id, line}); err != nil {
			return rep, err
		}
		// Decode: a timestamp and, for Snowflake IDs, the worker.
		var ts int64 // Unix ns; 0 when the ID carries no time
		node := int64(-1)
		switch kind {
		case Number:
			if opt.Layout != nil {
				p, t, err := decode(opt.Layout, id.Lo)
				if err != nil {
					rep.BeforeEpoch++
					note(&rep.TimeExamples, line, "%d does not decode with layout %s: %v", id.Lo, opt.Layout.Name, err)
					continue
				}
				ts = t
				node = p.Datacenter<<opt.Layout.Worker.Bits | p.Worker
				if opt.Workers != nil && !opt.Workers[node] {
					rep.UnexpectedWorkers++
					note(&rep.WorkerExamples, line, "%d is from node %d (datacenter %d, worker %d), not one of the expected workers", id.Lo, node, p.Datacenter, p.Worker)
				}
				s := streams[node]
				if s == nil {
					s = &stream{w: &Worker{Node: node}}
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
			s = &stream{w: &Worker{Node: key}}
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
	if err := d.finish(rep, func(a, b entry) {
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

// decode splits a Snowflake ID, computing its time in int64 nanoseconds
// when that cannot overflow (Layout.Decode uses big integers, which
// would dominate a long audit).
func decode(l *snowflake.Layout, id uint64) (snowflake.Parts, int64, error) {
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

func workerSuffix(node int64) string {
	if node < 0 {
		return ""
	}
	return fmt.Sprintf(" (node %d)", node)
}

func idText(id ID, kind Kind) string {
	switch {
	case kind == UUID:
		return uuid.FromHiLo(id.Hi, id.Lo).String()
	case kind == ULID:
		return ulid.FromHiLo(id.Hi, id.Lo).String()
	case id.Hi != 0:
		return fmt.Sprintf("%016x%016x", id.Hi, id.Lo)
	}
	return strconv.FormatUint(id.Lo, 10)
}

// dups finds repeated IDs with bounded memory: sorted chunks, spilled to
// files, merged.
type dups struct {
	opt   Options
	chunk []entry
	files []*os.File
}

func (d *dups) add(e entry) error {
	d.chunk = append(d.chunk, e)
	if len(d.chunk) >= d.opt.ChunkIDs {
		return d.spill()
	}
	return nil
}

func sortEntries(es []entry) {
	slices.SortFunc(es, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.id.Hi, b.id.Hi), cmp.Compare(a.id.Lo, b.id.Lo), cmp.Compare(a.line, b.line))
	})
}

func (d *dups) spill() error {
	sortEntries(d.chunk)
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
type run struct {
	r   *bufio.Reader
	cur entry
	ok  bool
}

func (r *run) next() error {
	var buf [24]byte
	if _, err := io.ReadFull(r.r, buf[:]); err != nil {
		r.ok = false
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	r.cur = entry{ID{binary.LittleEndian.Uint64(buf[0:]), binary.LittleEndian.Uint64(buf[8:])}, int64(binary.LittleEndian.Uint64(buf[16:]))}
	r.ok = true
	return nil
}

// finish merges the runs (and the chunk in memory) in ID order and calls
// found for each repeat with the first occurrence.
func (d *dups) finish(rep *Report, found func(first, repeat entry)) error {
	sortEntries(d.chunk)
	rep.SpillFiles = len(d.files)
	runs := make([]*run, 0, len(d.files))
	for _, f := range d.files {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r := &run{r: bufio.NewReaderSize(f, 1<<20)}
		if err := r.next(); err != nil {
			return err
		}
		runs = append(runs, r)
	}
	mem := 0
	var first entry
	have := false
	prevDup := false
	for {
		// The smallest head among the runs and the in-memory chunk.
		best := -1
		var e entry
		for i, r := range runs {
			if r.ok && (best < 0 || less(r.cur, e)) {
				best, e = i, r.cur
			}
		}
		if mem < len(d.chunk) && (best < 0 || less(d.chunk[mem], e)) {
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

func less(a, b entry) bool {
	if a.id != b.id {
		return a.id.Hi < b.id.Hi || a.id.Hi == b.id.Hi && a.id.Lo < b.id.Lo
	}
	return a.line < b.line
}

func (d *dups) close() {
	for _, f := range d.files {
		name := f.Name()
		f.Close()
		os.Remove(name)
	}
}

// Format writes the report for people.
func (r *Report) Format(w io.Writer, layout *snowflake.Layout) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d lines, %d IDs", r.Lines, r.IDs)
	for _, k := range []string{"number", "uuid", "ulid"} {
		if r.Kinds[k] > 0 {
			fmt.Fprintf(&b, ", %d %s", r.Kinds[k], k)
		}
	}
	b.WriteString("\n")
	section := func(title string, n int64, ex []Finding) {
		if n == 0 {
			fmt.Fprintf(&b, "%-22s none\n", title+":")
			return
		}
		fmt.Fprintf(&b, "%-22s %d\n", title+":", n)
		for _, f := range ex {
			fmt.Fprintf(&b, "  line %d: %s\n", f.Line, f.Text)
		}
		if int64(len(ex)) < n {
			fmt.Fprintf(&b, "  … and %d more\n", n-int64(len(ex)))
		}
	}
	section("malformed lines", r.Malformed, r.MalformedExamples)
	section("duplicates", r.Duplicates, r.DuplicateExamples)
	section("order violations", r.OrderViolations, r.OrderExamples)
	section("clock regressions", r.Regressions, r.RegressionExamples)
	section("time out of range", r.Future+r.BeforeEpoch, r.TimeExamples)
	section("unexpected workers", r.UnexpectedWorkers, r.WorkerExamples)
	if layout != nil && len(r.Workers) > 0 {
		fmt.Fprintf(&b, "workers: %d (sequence ceiling %d per %v)\n", len(r.Workers), r.SequenceCeiling, layout.Unit)
		fmt.Fprintf(&b, "  %8s %12s %14s %12s %12s\n", "node", "IDs", "max sequence", "regressions", "max behind")
		for _, wk := range r.Workers {
			fmt.Fprintf(&b, "  %8d %12d %8d (%3.0f%%) %12d %12v\n", wk.Node, wk.IDs, wk.MaxSequence,
				100*float64(wk.MaxSequence)/float64(max(r.SequenceCeiling, 1)), wk.Regressions, wk.MaxBehind)
		}
	}
	w.Write(b.Bytes())
}
