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
