package audit

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
)

// TestFormatText pins the text Format writes — the reference test
// compares two reports through the same Format, so the mutation run over
// audit.go found it untested: the kinds seen, each section with its
// examples and how many more there were, and the workers' table.
func TestFormatText(t *testing.T) {
	l := snowflake.Twitter
	r := &Report{Lines: 7, IDs: 5, Malformed: 2, Kinds: map[string]int64{"number": 3, "uuid": 1, "ulid": 1},
		MalformedExamples: []Finding{{3, "bad"}},
		Duplicates:        1, DuplicateExamples: []Finding{{9, "12 repeats line 4"}},
		Regressions: 3, RegressionExamples: []Finding{{5, "back"}, {6, "back again"}, {8, "and again"}},
		Future: 1, BeforeEpoch: 1, TimeExamples: []Finding{{2, "future"}},
		Workers:         []Worker{{Node: 3, IDs: 4, MaxSequence: 2047, Regressions: 1, MaxBehind: 2 * time.Millisecond}, {Node: 1000, IDs: 1, MaxSequence: 4095}},
		SequenceCeiling: 4095}
	want := `7 lines, 5 IDs, 3 number, 1 uuid, 1 ulid
malformed lines:       2
  line 3: bad
  … and 1 more
duplicates:            1
  line 9: 12 repeats line 4
order violations:      none
clock regressions:     3
  line 5: back
  line 6: back again
  line 8: and again
time out of range:     2
  line 2: future
  … and 1 more
unexpected workers:    none
workers: 2 (sequence ceiling 4095 per 1ms)
      node          IDs   max sequence  regressions   max behind
         3            4     2047 ( 50%)            1          2ms
      1000            1     4095 (100%)            0           0s
`
	var b strings.Builder
	r.Format(&b, &l)
	if b.String() != want {
		t.Errorf("Format:\n%s\nwant:\n%s", b.String(), want)
	}

	// Only the kinds seen; no workers' table without a layout or without
	// workers; a ceiling of 0 (no sequence bits) divides by 1.
	r = &Report{Lines: 2, IDs: 2, Kinds: map[string]int64{"ulid": 2}, UnexpectedWorkers: 1, WorkerExamples: []Finding{{1, "odd"}}, OrderViolations: 1, Workers: []Worker{{Node: 0, IDs: 2}}}
	noSeq := snowflake.Layout{Name: "noseq", Unit: time.Second}
	for _, tt := range []struct {
		l    *snowflake.Layout
		want string
	}{
		{nil, "2 lines, 2 IDs, 2 ulid\nmalformed lines:       none\nduplicates:            none\norder violations:      1\n  … and 1 more\nclock regressions:     none\ntime out of range:     none\nunexpected workers:    1\n  line 1: odd\n"},
		{&noSeq, "2 lines, 2 IDs, 2 ulid\nmalformed lines:       none\nduplicates:            none\norder violations:      1\n  … and 1 more\nclock regressions:     none\ntime out of range:     none\nunexpected workers:    1\n  line 1: odd\n" +
			"workers: 1 (sequence ceiling 0 per 1s)\n      node          IDs   max sequence  regressions   max behind\n         0            2        0 (  0%)            0           0s\n"},
	} {
		b.Reset()
		r.Format(&b, tt.l)
		if b.String() != tt.want {
			t.Errorf("Format with layout %v:\n%s\nwant:\n%s", tt.l, b.String(), tt.want)
		}
	}
	b.Reset()
	(&Report{Kinds: map[string]int64{}}).Format(&b, &l)
	if want := "0 lines, 0 IDs\nmalformed lines:       none\nduplicates:            none\norder violations:      none\nclock regressions:     none\ntime out of range:     none\nunexpected workers:    none\n"; b.String() != want {
		t.Errorf("Format of an empty report:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestRunProgressAndCancel: Progress is called at every 2^20 lines, with
// the line count, and a cancelled context stops the audit at the next
// 2^16 lines with its error.
func TestRunProgressAndCancel(t *testing.T) {
	text := strings.Repeat("7\n", 1<<20+5)
	var calls []int64
	rep, err := Run(strings.NewReader(text), Options{Progress: func(n int64) { calls = append(calls, n) }, TempDir: t.TempDir()})
	if err != nil || len(calls) != 1 || calls[0] != 1<<20 || rep.IDs != 1<<20+5 || rep.Duplicates != 1<<20+4 || rep.DuplicatedIDs != 1 || rep.SpillFiles != 0 {
		t.Errorf("progress calls %v, report %+v, %v", calls, rep, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err = RunContext(ctx, strings.NewReader(strings.Repeat("7\n", 1<<16+3)), Options{TempDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) || rep.IDs != 1<<16-1 {
		t.Errorf("cancelled: %d IDs, %v; want %d and the context's error", rep.IDs, err, 1<<16-1)
	}
	if _, err := RunContext(ctx, strings.NewReader(strings.Repeat("7\n", 1<<16-1)), Options{TempDir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled, fewer lines: %v; want the duplicate check to see the context's error", err)
	}
}

// TestWideNodeLayout: with more than 16 node bits the workers are kept in
// a map, not a table; they are still found, counted, checked against the
// expected set and listed by node ID.
func TestWideNodeLayout(t *testing.T) {
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	l := snowflake.Packed("wide", epoch, time.Millisecond, 39, 4, 16, 4) // 20 node bits
	var lines []string
	for i, n := range []int64{70000, 0, 70000, 3, 0, 70000} {
		id, err := l.Encode(int64(100+i), n>>16, n&(1<<16-1), int64(i))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strconv.FormatUint(id, 10))
	}
	rep, err := Run(strings.NewReader(strings.Join(lines, "\n")), Options{Layout: &l, Ordered: true, Workers: mustNodes(t, "0-5", &l), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := []Worker{{Node: 0, IDs: 2, MaxSequence: 4}, {Node: 3, IDs: 1, MaxSequence: 3}, {Node: 70000, IDs: 3, MaxSequence: 5}}
	if !reflect.DeepEqual(rep.Workers, want) || rep.UnexpectedWorkers != 3 || rep.OrderViolations != 0 || rep.Regressions != 0 {
		t.Errorf("workers %+v, %d unexpected, %d violations, %d regressions; want %+v, 3, 0, 0", rep.Workers, rep.UnexpectedWorkers, rep.OrderViolations, rep.Regressions, want)
	}
	if len(rep.WorkerExamples) != 3 || !strings.Contains(rep.WorkerExamples[0].Text, "from node 70000 (datacenter 1, worker 4464)") {
		t.Errorf("worker examples %+v", rep.WorkerExamples)
	}
}

// TestRunReadErrors: a line longer than the 1 MiB buffer and a failing
// reader both stop the audit, naming the line.
func TestRunReadErrors(t *testing.T) {
	long := "1\n2\n" + strings.Repeat("9", 1<<20) + "\n3\n"
	if _, err := Run(strings.NewReader(long), Options{TempDir: t.TempDir()}); err == nil || err.Error() != "line 3: longer than 1048576 bytes" {
		t.Errorf("a line of 1 MiB: %v", err)
	}
	ok := strings.Repeat("5", 1<<20-1) // with its newline, exactly the buffer
	if rep, err := Run(strings.NewReader("1\n"+ok+"\n"), Options{TempDir: t.TempDir()}); err != nil || rep.Malformed != 1 || rep.IDs != 1 {
		t.Errorf("a line that just fits: %+v, %v", rep, err)
	}
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("1\n2\n"), iotest.ErrReader(boom))
	if _, err := Run(r, Options{TempDir: t.TempDir()}); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "line 3: ") {
		t.Errorf("a failing reader: %v", err)
	}
}

// TestChunkDefault: ChunkIDs 0 or below means 16 Mi, so a small file
// spills nothing.
func TestChunkDefault(t *testing.T) {
	for _, c := range []int{0, -1} {
		rep, err := Run(strings.NewReader("1\n2\n1\n"), Options{ChunkIDs: c, TempDir: t.TempDir()})
		if err != nil || rep.SpillFiles != 0 || rep.Duplicates != 1 {
			t.Errorf("ChunkIDs %d: %d spill files, %d duplicates, %v", c, rep.SpillFiles, rep.Duplicates, err)
		}
	}
}

// TestClean: a report is clean when every kind of finding counts zero,
// and any one of them alone makes it not clean.
func TestClean(t *testing.T) {
	if !(&Report{IDs: 5, Lines: 7, DuplicatedIDs: 0, SpillFiles: 2}).Clean() {
		t.Error("a report with no findings is not clean")
	}
	for i, r := range []Report{{Malformed: 1}, {Duplicates: 1}, {OrderViolations: 1}, {Regressions: 1}, {Future: 1}, {BeforeEpoch: 1}, {UnexpectedWorkers: 1}} {
		if r.Clean() {
			t.Errorf("%d: %+v is clean", i, r)
		}
	}
}

// TestNegativeExamples: Examples below 0 lists no findings at all,
// while still counting them.
func TestNegativeExamples(t *testing.T) {
	rep, err := Run(strings.NewReader("1\n1\nx\n"), Options{Examples: -1, TempDir: t.TempDir()})
	if err != nil || rep.Duplicates != 1 || rep.Malformed != 1 || len(rep.DuplicateExamples) != 0 || len(rep.MalformedExamples) != 0 {
		t.Errorf("Examples -1: %+v, %v; want 1 duplicate and 1 malformed line, no examples", rep, err)
	}
}

// TestMissingTempDir: a temporary directory that cannot be written in is
// reported before anything is read, even when the input is too small to
// need a spill.
func TestMissingTempDir(t *testing.T) {
	rep, err := Run(strings.NewReader("1\n2\n"), Options{TempDir: t.TempDir() + "/missing"})
	if err == nil || rep != nil {
		t.Errorf("a missing TempDir: %+v, %v; want no report and an error", rep, err)
	}
}

// TestLastLineWithoutNewline: a last line of one byte with no newline
// is read; the empty read at the end of a file that ends in a newline
// is not a line (no Progress call for a line 2^20 that is not there).
func TestLastLineWithoutNewline(t *testing.T) {
	rep, err := Run(strings.NewReader("1\n2"), Options{TempDir: t.TempDir()})
	if err != nil || rep.IDs != 2 || rep.Lines != 2 {
		t.Errorf(`"1\n2": %d IDs on %d lines, %v; want 2, 2`, rep.IDs, rep.Lines, err)
	}
	var calls []int64
	rep, err = Run(strings.NewReader(strings.Repeat("\n", 1<<20-1)), Options{Progress: func(n int64) { calls = append(calls, n) }, TempDir: t.TempDir()})
	if err != nil || len(calls) != 0 || rep.Lines != 0 {
		t.Errorf("2^20-1 blank lines: progress calls %v, %d lines, %v; want none, 0", calls, rep.Lines, err)
	}
}

// TestTimeOneNanosecond: a timestamp of 1 ns after the Unix epoch is a
// time like any other (only 0 means none): with an epoch of 1 ns, tick 0
// is after a Now of the Unix epoch, and behind an earlier ID's tick 5.
func TestTimeOneNanosecond(t *testing.T) {
	l := snowflake.Packed("ns", time.Unix(0, 1), time.Millisecond, 41, 0, 10, 12)
	var lines []string
	for _, tick := range []int64{5, 0} {
		id, err := l.Encode(tick, 0, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strconv.FormatUint(id, 10))
	}
	rep, err := Run(strings.NewReader(lines[1]+"\n"), Options{Layout: &l, Now: time.Unix(0, 0), TempDir: t.TempDir()})
	if err != nil || rep.Future != 1 {
		t.Errorf("tick 0 against a Now of 1970: %d from the future, %v; want 1", rep.Future, err)
	}
	rep, err = Run(strings.NewReader(strings.Join(lines, "\n")), Options{Layout: &l, Ordered: true, TempDir: t.TempDir()})
	if err != nil || rep.Regressions != 1 || rep.OrderViolations != 1 {
		t.Errorf("tick 5 then 0: %d regressions, %d order violations, %v; want 1, 1", rep.Regressions, rep.OrderViolations, err)
	}
}

// TestOrderedWithoutLayout: numbers with no layout to decode them are,
// in ordered mode, one stream, as UUIDs and ULIDs are.
func TestOrderedWithoutLayout(t *testing.T) {
	rep, err := Run(strings.NewReader("3\n5\n4\n"), Options{Ordered: true, TempDir: t.TempDir()})
	if err != nil || rep.OrderViolations != 1 || len(rep.OrderExamples) != 1 || rep.OrderExamples[0].Text != "4 is not greater than 5 on line 2" {
		t.Errorf("3, 5, 4: %d order violations %+v, %v", rep.OrderViolations, rep.OrderExamples, err)
	}
}

// TestKindsCounted: Kinds has an entry for each kind seen, with its
// count (one ID is counted), and none for kinds not seen.
func TestKindsCounted(t *testing.T) {
	rep, err := Run(strings.NewReader("1\n2\n01ARZ3NDEKTSV4RRFFQ69G5FAV\n"), Options{TempDir: t.TempDir()})
	if want := map[string]int64{"number": 2, "ulid": 1}; err != nil || !reflect.DeepEqual(rep.Kinds, want) {
		t.Errorf("kinds %v, %v; want %v", rep.Kinds, err, want)
	}
}

// TestWorkerSuffix: findings of a Snowflake worker name its node, node 0
// included; those of the one stream of undecoded numbers name none.
func TestWorkerSuffix(t *testing.T) {
	l := snowflake.Twitter
	var lines []string
	for _, tick := range []int64{9, 8} {
		id, err := l.Encode(tick, 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strconv.FormatUint(id, 10))
	}
	rep, err := Run(strings.NewReader(strings.Join(lines, "\n")), Options{Layout: &l, Ordered: true, TempDir: t.TempDir()})
	if err != nil || len(rep.OrderExamples) != 1 || !strings.HasSuffix(rep.OrderExamples[0].Text, " on line 1 (node 0)") ||
		len(rep.RegressionExamples) != 1 || !strings.HasPrefix(rep.RegressionExamples[0].Text, "the clock went back 1ms (node 0): ") {
		t.Errorf("node 0: %+v, %+v, %v", rep.OrderExamples, rep.RegressionExamples, err)
	}
	if got := workerSuffix(-1); got != "" {
		t.Errorf("workerSuffix(-1) = %q", got)
	}
}

// TestDuplicateOf128Bits: a repeated ID wider than 64 bits is shown as
// 32 hex digits, whatever kind its text was.
func TestDuplicateOf128Bits(t *testing.T) {
	rep, err := Run(strings.NewReader("0190a7b2-0c3d-7e4f-8a1b-2c3d4e5f6a7b\n0190a7b2-0c3d-7e4f-8a1b-2c3d4e5f6a7b\n"), Options{TempDir: t.TempDir()})
	if want := "0190a7b20c3d7e4f8a1b2c3d4e5f6a7b repeats line 1"; err != nil || len(rep.DuplicateExamples) != 1 || rep.DuplicateExamples[0].Text != want {
		t.Errorf("%+v, %v; want %q", rep.DuplicateExamples, err, want)
	}
}

// TestDecoderMatchesLayoutDecode: the audit's decoder, which takes a
// fast path in int64 nanoseconds where that cannot overflow, gives the
// parts, the time (as UnixNano) and the refusals Layout.Decode gives, on
// layouts chosen against its shortcuts: fields above unused low bits
// (an ID of stray bits only must not slip through the used-bits mask),
// a time far past 2^62 s (which Decode clamps: no fast path there), and
// a zero unit (not valid, but Run takes any layout: no division by it).
func TestDecoderMatchesLayoutDecode(t *testing.T) {
	gaps := snowflake.Layout{Name: "gaps", Epoch: snowflake.Twitter.Epoch, Unit: time.Millisecond,
		Sequence: snowflake.Field{Shift: 2, Bits: 4}, Worker: snowflake.Field{Shift: 6, Bits: 7},
		Datacenter: snowflake.Field{Shift: 13, Bits: 14}, Time: snowflake.Field{Shift: 27, Bits: 30}}
	far := snowflake.Layout{Name: "far", Epoch: time.Unix(0, 0), Unit: 3*time.Second + 1, Time: snowflake.Field{Bits: 63}}
	zero := snowflake.Twitter
	zero.Unit = 0
	for _, c := range []struct {
		l   snowflake.Layout
		ids []uint64
	}{
		{gaps, []uint64{1, 2, 3, 5<<2 | 3<<6 | 2<<13 | 7<<27, 5<<2 | 3<<6 | 2<<13 | 7<<27 | 1, 1 << 60}},
		{far, []uint64{1, 1 << 62, 1<<63 - 1}},
		{zero, []uint64{0, 1 << 22, 1 << 63}},
		{snowflake.Twitter, []uint64{0, 1<<63 - 1, 1 << 63}},
	} {
		d := newDecoder(&c.l)
		for _, id := range c.ids {
			p, ts, err := d.decode(id)
			want, werr := c.l.Decode(id)
			if (err == nil) != (werr == nil) {
				t.Errorf("%s, %#x: error %v, Decode's %v", c.l.Name, id, err, werr)
				continue
			}
			if err == nil && (p.Tick != want.Tick || p.Datacenter != want.Datacenter || p.Worker != want.Worker || p.Sequence != want.Sequence || ts != want.Time.UnixNano()) {
				t.Errorf("%s, %#x: %+v at %d, Decode's %+v at %d", c.l.Name, id, p, ts, want, want.Time.UnixNano())
			}
		}
	}
}
