package audit

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/uuid"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// logFile writes what two Twitter-layout workers issued over 2000 ms,
// with planted problems; it returns the text and the lines of each.
func logFile() (string, map[string]int64) {
	l := snowflake.Twitter
	var b strings.Builder
	planted := map[string]int64{}
	line := int64(0)
	emit := func(s string) { line++; fmt.Fprintln(&b, s) }
	enc := func(ms int64, worker, seq uint64) uint64 {
		tick := uint64(start.Add(time.Duration(ms)*time.Millisecond).Sub(l.Epoch) / l.Unit)
		return tick<<l.Time.Shift | worker<<l.Worker.Shift | seq<<l.Sequence.Shift
	}
	var first uint64
	for ms := int64(0); ms < 2000; ms++ {
		for w := uint64(0); w < 2; w++ {
			switch {
			case ms == 1500 && w == 1:
				// Worker 1's clock went back 300 ms: an older timestamp.
				emit(fmt.Sprint(enc(1200, 1, 7)))
				planted["regression"] = line
				continue
			case ms == 700 && w == 0:
				emit("not-an-id")
				planted["malformed"] = line
				continue
			}
			id := enc(ms, w, uint64(ms%5))
			if ms == 10 && w == 0 {
				first = id
			}
			emit(fmt.Sprint(id))
		}
		if ms == 1000 {
			emit(fmt.Sprint(first)) // the ID of line 21 again
			planted["duplicate"] = line
		}
	}
	return b.String(), planted
}

func TestAuditFindsPlantedProblemsWithLines(t *testing.T) {
	text, planted := logFile()
	l := snowflake.Twitter
	for _, chunk := range []int{0, 100} { // in memory, and spilled to 40 files
		rep, err := Run(strings.NewReader(text), Options{Layout: &l, Ordered: true, Now: start.Add(time.Hour), ChunkIDs: chunk, TempDir: t.TempDir(),
			Workers: mustNodes(t, "0-1", &l)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Malformed != 1 || rep.MalformedExamples[0].Line != planted["malformed"] {
			t.Errorf("malformed: %d %+v, want line %d", rep.Malformed, rep.MalformedExamples, planted["malformed"])
		}
		if rep.Duplicates != 1 || rep.DuplicateExamples[0].Line != planted["duplicate"] || !strings.Contains(rep.DuplicateExamples[0].Text, "repeats line 21") {
			t.Errorf("duplicates: %d %+v, want line %d repeating line 21", rep.Duplicates, rep.DuplicateExamples, planted["duplicate"])
		}
		// The replayed ID is also out of order on worker 0; the regressed
		// one is out of order and a 300ms regression on worker 1.
		if rep.Regressions != 2 {
			t.Errorf("regressions: %d %+v", rep.Regressions, rep.RegressionExamples)
		}
		found := false
		for _, f := range rep.RegressionExamples {
			if f.Line == planted["regression"] && strings.Contains(f.Text, "went back 299ms (node 1)") {
				found = true
			}
		}
		if !found {
			t.Errorf("the planted regression at line %d is not reported: %+v", planted["regression"], rep.RegressionExamples)
		}
		if rep.OrderViolations < 2 {
			t.Errorf("order violations: %d", rep.OrderViolations)
		}
		if chunk > 0 && rep.SpillFiles < 30 {
			t.Errorf("%d spill files with chunks of %d", rep.SpillFiles, chunk)
		}
		if len(rep.Workers) != 2 || rep.Workers[0].MaxSequence != 4 {
			t.Errorf("workers: %+v", rep.Workers)
		}
	}
}

func mustNodes(t testing.TB, s string, l *snowflake.Layout) *NodeSet {
	t.Helper()
	set, err := ParseNodes(s, l)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestAuditTimeAndWorkers(t *testing.T) {
	l := snowflake.Twitter
	id := func(at time.Time, worker uint64) string {
		tick := uint64(at.Sub(l.Epoch) / l.Unit)
		return fmt.Sprint(tick<<l.Time.Shift | worker<<l.Worker.Shift)
	}
	text := strings.Join([]string{id(start, 1), id(start.Add(48*time.Hour), 1), id(start, 9)}, "\n")
	rep, err := Run(strings.NewReader(text), Options{Layout: &l, Now: start.Add(time.Hour), Workers: mustNodes(t, "1", &l)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Future != 1 || rep.TimeExamples[0].Line != 2 {
		t.Errorf("future: %d %+v", rep.Future, rep.TimeExamples)
	}
	if rep.UnexpectedWorkers != 1 || rep.WorkerExamples[0].Line != 3 {
		t.Errorf("workers: %d %+v", rep.UnexpectedWorkers, rep.WorkerExamples)
	}
}

func TestAuditCSVColumnAndUUIDs(t *testing.T) {
	a := uuid.FromHiLo(0x019b76da_a800_7000, 0x8000_0000_0000_0001).String()
	b := uuid.FromHiLo(0x019b76da_a800_7001, 0x8000_0000_0000_0002).String()
	text := "user,id\nalice," + a + "\nbob," + b + "\ncarol," + a + "\ndave,\n"
	rep, err := Run(strings.NewReader(text), Options{Column: 2, Header: true, Ordered: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.IDs != 3 || rep.Kinds["uuid"] != 3 || rep.Duplicates != 1 || rep.DuplicateExamples[0].Line != 4 || rep.Malformed != 1 || rep.MalformedExamples[0].Line != 5 {
		t.Errorf("%+v", rep)
	}
	if _, err := Run(strings.NewReader(text), Options{Column: 2, Header: true, Strict: true}); err == nil || !strings.HasPrefix(err.Error(), "line 5:") {
		t.Errorf("strict: %v", err)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"175928847299117063", "0x1F", "017F22E2-79B0-7CC3-98C4-DC0C0C07398F", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "a,b,3", "", "  7  ", "\"12\"", "0x", "99999999999999999999"} {
		f.Add(s, 0)
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, line string, column int) {
		id, kind, err := ParseLine(line, column%8)
		if err != nil {
			return
		}
		// What parses prints back and parses to the same ID.
		again, kind2, err := ParseLine(idText(id, kind), 0)
		if err != nil || again != id || kind2 != kind && !(kind == Number && kind2 == Number) {
			t.Fatalf("%q → %v %v → %q → %v %v %v", line, id, kind, idText(id, kind), again, kind2, err)
		}
	})
}

// BenchmarkAudit audits a million Snowflake IDs from 64 workers, in
// order, with the duplicate check in memory and spilling to disk. It
// reports lines/s and heap allocations per line (0 on the line path: the
// few left are per piece and per run).
func BenchmarkAudit(b *testing.B) {
	l := snowflake.Twitter
	var sb strings.Builder
	tick := uint64(start.Sub(l.Epoch) / l.Unit)
	n := 0
	for ms := uint64(0); n < 1_000_000; ms++ {
		for w := uint64(0); w < 64; w++ {
			for seq := uint64(0); seq < 16; seq++ {
				fmt.Fprintln(&sb, (tick+ms)<<l.Time.Shift|w<<l.Worker.Shift|seq)
				n++
			}
		}
	}
	text := sb.String()
	for _, bc := range []struct {
		name  string
		chunk int
	}{{"memory", 0}, {"spilling", 1 << 18}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			spills, spillBytes := 0, int64(0)
			b.ResetTimer()
			for range b.N {
				rep, err := Run(strings.NewReader(text), Options{Layout: &l, Ordered: true, Now: start.Add(time.Hour), ChunkIDs: bc.chunk, TempDir: b.TempDir()})
				if err != nil || !rep.Clean() {
					b.Fatal(err, rep.Duplicates)
				}
				spills, spillBytes = rep.SpillFiles, rep.SpillBytes
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n*b.N), "allocs/line")
			b.ReportMetric(float64(spills), "spill_files")
			b.ReportMetric(float64(spillBytes)/float64(n), "spill_B/ID")
		})
	}
}
