// Package audit checks IDs a real system produced, read as text, one per
// line: duplicates (with both line numbers), per-worker order
// violations, clock regressions inferred from the timestamps inside the
// IDs, IDs from the future or from before the epoch, unexpected worker
// IDs, and how close each worker came to its sequence ceiling.
//
// It streams. Per-worker state is a few words per worker; duplicates
// need every ID once, so IDs are sorted in runs (a radix sort, on a
// second goroutine while lines are read), kept in memory up to a bound
// and otherwise merged into temporary files, and finally merged with a
// tree of losers: memory stays bounded whatever the length of the file.
// Lines are parsed in place, without an allocation per line.
package audit

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
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
	// and worker fields together, as SplitNode numbers them); see
	// ParseNodes.
	Workers *NodeSet
	// Ordered says the lines of a worker are in the order its IDs were
	// issued (a log, not a sorted export): order violations and clock
	// regressions are then reported. For UUIDs and ULIDs, which carry no
	// worker, the whole file is one stream.
	Ordered bool
	// Strict stops at the first malformed line.
	Strict bool
	// ChunkIDs is how many IDs the duplicate check holds in memory (16
	// bytes each for 64-bit IDs, 24 for wider ones) before it writes
	// them, sorted, to a temporary file; 0 means 16 Mi (256 MiB of 64-bit
	// IDs). Runs are sorted in pieces of at most 1 Mi IDs. TempDir is
	// where the files go; "" is the system default. The files are
	// unlinked as soon as they are created, so nothing is left behind
	// however the process ends.
	ChunkIDs int
	TempDir  string
	// Progress, if set, is called about every million lines.
	Progress func(lines int64)
	// Examples caps the findings listed per kind; 0 means 20, a negative
	// number lists none.
	Examples int

	pieceIDs  int                                         // tests: sort in pieces of this many IDs instead of maxPiece
	splitMin  int                                         // tests: finish in two halves from this many IDs in memory (negative: never)
	openSpill func(dir string) (spillFile, string, error) // tests: make the temporary files instead of anonymousFile
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
	// SpillFiles counts the sorted runs written for the duplicate check,
	// SpillBytes their total size.
	SpillFiles int
	SpillBytes int64
}

// Clean reports whether the audit found nothing wrong.
func (r *Report) Clean() bool {
	return r.Malformed == 0 && r.Duplicates == 0 && r.OrderViolations == 0 && r.Regressions == 0 &&
		r.Future == 0 && r.BeforeEpoch == 0 && r.UnexpectedWorkers == 0
}

type stream struct {
	w          *Worker
	last       ID
	lastLine   int64
	lastTime   int64
	started    bool
	unexpected bool // not in Options.Workers
}

// Run audits the IDs read from r.
func Run(r io.Reader, opt Options) (*Report, error) {
	return RunContext(context.Background(), r, opt)
}

// auditor is the state of one audit: the report so far, the per-worker
// streams and the duplicate check.
type auditor struct {
	opt   Options
	rep   *Report
	dec   *decoder
	d     *dups
	st    *streams
	kinds [3]int64
	limit int64 // Unix ns after which an ID is from the future
}

// note adds a finding to list unless it already holds opt.Examples.
func (a *auditor) note(list *[]Finding, line int64, format string, args ...any) {
	if len(*list) < a.opt.Examples {
		*list = append(*list, Finding{Line: line, Text: fmt.Sprintf(format, args...)})
	}
}

// RunContext audits the IDs read from r until ctx is done; it then
// returns ctx's error, having removed its temporary files.
func RunContext(ctx context.Context, r io.Reader, opt Options) (*Report, error) {
	if opt.ChunkIDs <= 0 {
		opt.ChunkIDs = 16 << 20
	}
	switch {
	case opt.Examples == 0:
		opt.Examples = 20
	case opt.Examples < 0:
		opt.Examples = 0
	}
	if err := CheckTempDir(opt.TempDir); err != nil {
		return nil, err
	}
	rep := &Report{Kinds: map[string]int64{}}
	a := &auditor{opt: opt, rep: rep, limit: math.MaxInt64}
	if opt.Layout != nil {
		rep.SequenceCeiling = opt.Layout.Sequence.Max()
		a.dec = newDecoder(opt.Layout)
	}
	a.d = newDups(ctx, opt)
	defer a.d.close()
	a.st = newStreams(opt.Layout)
	if !opt.Now.IsZero() {
		a.limit = opt.Now.Add(opt.Ahead).UnixNano()
	}
	br := bufio.NewReaderSize(r, 1<<20)
	var line int64
	for eof := false; !eof; {
		// Whole lines of decimal digits already in the buffer are read
		// there, without ReadSlice; the rest (and every line when a
		// column is taken) go the general way below.
		if opt.Column <= 0 && (line > 0 || !opt.Header) {
			buf, _ := br.Peek(br.Buffered())
			n, err := a.decimalLines(ctx, buf, &line)
			br.Discard(n)
			if err != nil {
				return rep, err
			}
		}
		text, rerr := br.ReadSlice('\n')
		eof = rerr == io.EOF
		if rerr == bufio.ErrBufferFull {
			return rep, fmt.Errorf("line %d: longer than %d bytes", line+1, br.Size())
		}
		if rerr != nil && rerr != io.EOF {
			return rep, fmt.Errorf("line %d: %w", line+1, rerr)
		}
		if len(text) == 0 && eof {
			break
		}
		// As bufio.ScanLines: drop the newline and one carriage return.
		if n := len(text); n > 0 && text[n-1] == '\n' {
			text = text[:n-1]
		}
		if n := len(text); n > 0 && text[n-1] == '\r' {
			text = text[:n-1]
		}
		line++
		if err := a.every(ctx, line); err != nil {
			return rep, err
		}
		if line == 1 && opt.Header || len(trimSpace(text)) == 0 {
			continue
		}
		rep.Lines++
		id, kind, err := parseLineBytes(text, opt.Column)
		if err != nil {
			rep.Malformed++
			if opt.Strict {
				return rep, fmt.Errorf("line %d: %v", line, err)
			}
			a.note(&rep.MalformedExamples, line, "%v", err)
			continue
		}
		if err := a.id(id, kind, line); err != nil {
			return rep, err
		}
	}
	for k, n := range a.kinds {
		if n > 0 {
			rep.Kinds[Kind(k).String()] = n
		}
	}
	if err := a.d.finish(rep, func(first, repeat entry) {
		a.note(&rep.DuplicateExamples, repeat.line, "%s repeats line %d", idText(first.id, -1), first.line)
	}); err != nil {
		return rep, err
	}
	rep.Workers = a.st.workers()
	return rep, nil
}

// every is called for each line, blank or not, before it is read: at
// every 2^16 lines it reports progress (every 2^20) and stops when ctx is
// done.
func (a *auditor) every(ctx context.Context, line int64) error {
	if line&(1<<16-1) != 0 {
		return nil
	}
	if a.opt.Progress != nil && line%(1<<20) == 0 {
		a.opt.Progress(line)
	}
	return ctx.Err()
}

// decimalLines reads the lines at the start of buf that are 1 to 19
// decimal digits and a newline — what a log of Snowflake IDs holds —
// exactly as the general path would, and returns how many bytes they
// took. It stops at the first other line, and before an incomplete one.
func (a *auditor) decimalLines(ctx context.Context, buf []byte, line *int64) (int, error) {
	done := 0
	for {
		rest := buf[done:]
		var v uint64
		i := 0
		if len(rest) >= 16 {
			// Eight digits at a time while they last, then one at a time.
			if d, ok := digits8(binary.LittleEndian.Uint64(rest)); ok {
				v, i = d, 8
				if d, ok := digits8(binary.LittleEndian.Uint64(rest[8:])); ok {
					v, i = v*1e8+d, 16
				}
			}
		}
		for ; i < len(rest) && i < 20; i++ {
			c := rest[i] - '0'
			if c > 9 {
				break
			}
			v = v*10 + uint64(c)
		}
		// i ≤ 19 digits, then the newline.
		if i == 0 || i > 19 || i == len(rest) || rest[i] != '\n' {
			return done, nil
		}
		*line++
		if *line&(1<<16-1) == 0 { // as every says, without a call per line
			if err := a.every(ctx, *line); err != nil {
				return done + i + 1, err
			}
		}
		done += i + 1
		a.rep.Lines++
		if err := a.id(ID{Lo: v}, Number, *line); err != nil {
			return done, err
		}
	}
}

// digits8 reads the eight bytes of x, least significant first, as eight
// decimal digits, the first the most significant; ok is false unless
// every byte is one of '0' to '9'.
func digits8(x uint64) (v uint64, ok bool) {
	const high, six = 0xF0F0F0F0F0F0F0F0, 0x0606060606060606
	if x&high != 0x3030303030303030 || (x+six)&high != 0x3030303030303030 {
		return 0, false
	}
	d := x - 0x3030303030303030
	d = (d*10 + d>>8) & 0x00FF00FF00FF00FF
	d = (d*100 + d>>16) & 0x0000FFFF0000FFFF
	d = (d*10000 + d>>32) & 0xFFFFFFFF
	return d, true
}

// id checks one parsed ID, read on line.
func (a *auditor) id(id ID, kind Kind, line int64) error {
	rep, opt := a.rep, &a.opt
	rep.IDs++
	a.kinds[kind]++
	if err := a.d.add(entry{id, line}); err != nil {
		return err
	}
	// Decode: a timestamp and, for Snowflake IDs, the worker.
	var ts int64 // Unix ns; 0 when the ID carries no time
	var s *stream
	switch kind {
	case Number:
		if a.dec != nil {
			tick, dc, worker, seq, ok := a.dec.fields(id.Lo)
			if ok {
				ts = a.dec.epoch + tick*a.dec.unit
			} else {
				p, t, err := a.dec.decode(id.Lo)
				if err != nil {
					rep.BeforeEpoch++
					a.note(&rep.TimeExamples, line, "%d does not decode with layout %s: %v", id.Lo, opt.Layout.Name, err)
					return nil
				}
				ts, dc, worker, seq = t, p.Datacenter, p.Worker, p.Sequence
			}
			node := dc<<opt.Layout.Worker.Bits | worker
			s = a.st.get(node, opt.Workers)
			if s.unexpected {
				rep.UnexpectedWorkers++
				a.note(&rep.WorkerExamples, line, "%d is from node %d (datacenter %d, worker %d), not one of the expected workers", id.Lo, node, dc, worker)
			}
			s.w.IDs++
			s.w.MaxSequence = max(s.w.MaxSequence, uint64(seq))
		}
	case UUID:
		u := uuid.FromHiLo(id.Hi, id.Lo)
		if t, ok := u.Time(); ok {
			ts = t.UnixNano()
		}
	case ULID:
		ts = ulid.FromHiLo(id.Hi, id.Lo).Time().UnixNano()
	}
	if ts != 0 && ts > a.limit {
		rep.Future++
		a.note(&rep.TimeExamples, line, "%s is from %s, after %s", idText(id, kind), time.Unix(0, ts).UTC().Format(time.RFC3339Nano), opt.Now.UTC().Format(time.RFC3339))
	}
	if opt.Ordered {
		if s == nil || kind != Number {
			s = a.st.anonymous()
		}
		key := s.w.Node
		if s.started {
			if !(s.last.Hi < id.Hi || s.last.Hi == id.Hi && s.last.Lo < id.Lo) {
				rep.OrderViolations++
				s.w.Violations++
				a.note(&rep.OrderExamples, line, "%s is not greater than %s on line %d%s", idText(id, kind), idText(s.last, kind), s.lastLine, workerSuffix(key))
			}
			if ts != 0 && ts < s.lastTime {
				back := time.Duration(s.lastTime - ts)
				rep.Regressions++
				s.w.Regressions++
				s.w.MaxBehind = max(s.w.MaxBehind, back)
				a.note(&rep.RegressionExamples, line, "the clock went back %v%s: %s is from %s, the ID on line %d from %s", back, workerSuffix(key),
					idText(id, kind), time.Unix(0, ts).UTC().Format(time.RFC3339Nano), s.lastLine, time.Unix(0, s.lastTime).UTC().Format(time.RFC3339Nano))
			}
		}
		s.started, s.last, s.lastLine = true, id, line
		if ts >= s.lastTime {
			s.lastTime = ts
		}
	}
	return nil
}

// streams finds a worker's state by node ID: a table for layouts of up
// to 16 node bits, a map beyond.
type streams struct {
	table []*stream
	m     map[int64]*stream
	anon  *stream // UUIDs, ULIDs and undecoded numbers, in ordered mode
}

func newStreams(l *snowflake.Layout) *streams {
	st := &streams{m: map[int64]*stream{}}
	if l != nil && l.NodeBits() <= 16 {
		st.table = make([]*stream, 1<<l.NodeBits())
	}
	return st
}

func (st *streams) get(node int64, expected *NodeSet) *stream {
	if node < int64(len(st.table)) {
		if s := st.table[node]; s != nil {
			return s
		}
	} else if s := st.m[node]; s != nil {
		return s
	}
	s := &stream{w: &Worker{Node: node}, unexpected: expected != nil && !expected.Contains(node)}
	if node < int64(len(st.table)) {
		st.table[node] = s
	} else {
		st.m[node] = s
	}
	return s
}

func (st *streams) anonymous() *stream {
	if st.anon == nil {
		st.anon = &stream{w: &Worker{Node: -1}}
	}
	return st.anon
}

// workers lists the workers seen, by node ID.
func (st *streams) workers() []Worker {
	var ws []Worker
	for _, s := range st.table {
		if s != nil {
			ws = append(ws, *s.w)
		}
	}
	for _, s := range st.m {
		ws = append(ws, *s.w)
	}
	slices.SortFunc(ws, func(a, b Worker) int { return cmp.Compare(a.Node, b.Node) })
	return ws
}

// decoder splits Snowflake IDs of one layout, computing their time in
// int64 nanoseconds when that cannot overflow (Layout.Decode uses big
// integers, which would dominate a long audit).
type decoder struct {
	l       *snowflake.Layout
	used    uint64
	epoch   int64
	unit    int64
	maxTick int64 // ticks below this convert without overflow
	// Each field's shift and mask, read once from the layout.
	tShift, dShift, wShift, sShift uint8
	tMax, dMax, wMax, sMax         uint64
}

func newDecoder(l *snowflake.Layout) *decoder {
	d := &decoder{l: l, epoch: l.Epoch.UnixNano(), unit: int64(l.Unit), maxTick: -1,
		tShift: l.Time.Shift, dShift: l.Datacenter.Shift, wShift: l.Worker.Shift, sShift: l.Sequence.Shift,
		tMax: l.Time.Max(), dMax: l.Datacenter.Max(), wMax: l.Worker.Max(), sMax: l.Sequence.Max()}
	d.used = l.Time.Max()<<l.Time.Shift | l.Datacenter.Max()<<l.Datacenter.Shift | l.Worker.Max()<<l.Worker.Shift | l.Sequence.Max()<<l.Sequence.Shift
	if d.unit > 0 && l.Epoch.Year() > 1677 {
		d.maxTick = (math.MaxInt64 - max(d.epoch, 0)) / d.unit
	}
	return d
}

// fields is decode's fast path: the fields of id, when it has no bit
// outside them and its time converts to int64 nanoseconds (epoch +
// tick*unit) without overflow; ok is false otherwise, and decode must
// be asked.
func (d *decoder) fields(id uint64) (tick, dc, worker, seq int64, ok bool) {
	tick = int64(id >> d.tShift & d.tMax)
	if tick >= d.maxTick || id&^d.used != 0 {
		return 0, 0, 0, 0, false
	}
	return tick, int64(id >> d.dShift & d.dMax), int64(id >> d.wShift & d.wMax), int64(id >> d.sShift & d.sMax), true
}

func (d *decoder) decode(id uint64) (snowflake.Parts, int64, error) {
	if tick, dc, worker, seq, ok := d.fields(id); ok {
		return snowflake.Parts{Tick: tick, Datacenter: dc, Worker: worker, Sequence: seq}, d.epoch + tick*d.unit, nil
	}
	p, err := d.l.Decode(id)
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
