package audit

import (
	"bufio"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
)

var benchLines = flag.Int("audit.lines", 10_000_000, "lines of the file BenchmarkCheckVsSort writes")

// writeLog writes n decimal Twitter IDs to a file in dir as
// internal/gen does: 64 workers, 16 IDs each per millisecond,
// interleaved in a shuffled order, with n/10000 repeats of recent IDs
// (each an order violation too).
func writeLog(tb testing.TB, dir string, n int) string {
	tb.Helper()
	name := filepath.Join(dir, "ids.txt")
	f, err := os.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	l := snowflake.Twitter
	rng := rand.New(rand.NewPCG(1, 0))
	tick := uint64(start.Sub(l.Epoch) / l.Unit)
	order := make([]int, 64)
	for i := range order {
		order[i] = i
	}
	var recent [1024]uint64
	var buf []byte
	for line, ms := 0, uint64(0); line < n; ms++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for seq := uint64(0); seq < 16 && line < n; seq++ {
			for _, wk := range order {
				if line >= n {
					break
				}
				id := (tick+ms)<<l.Time.Shift | uint64(wk)<<l.Worker.Shift | seq
				if line%10000 == 9999 {
					id = recent[rng.IntN(len(recent))]
				}
				recent[line%len(recent)] = id
				buf = strconv.AppendUint(buf[:0], id, 10)
				buf = append(buf, '\n')
				w.Write(buf)
				line++
			}
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return name
}

// BenchmarkCheckVsSort times, in each iteration, `LC_ALL=C sort -n -S 2G
// --parallel=2 FILE | uniq -d` and then the audit of the same file with
// the Twitter layout and order checks on (what `idsim check --layout
// twitter --ordered` runs), on a log of -audit.lines lines (10 M by
// default; it writes the file, 20 bytes a line, to a temporary
// directory). It reports ratio_to_sort — the audit's wall time over
// sort's, summed over the iterations — and both times. Run it with
// -benchtime 3x for three paired runs:
//
//	go test ./sim/audit -run '^$' -bench CheckVsSort -benchtime 3x
func BenchmarkCheckVsSort(b *testing.B) {
	if _, err := exec.LookPath("sort"); err != nil {
		b.Skip("no sort on PATH")
	}
	name := writeLog(b, b.TempDir(), *benchLines)
	l := snowflake.Twitter
	var sortTime, checkTime time.Duration
	b.ResetTimer()
	for range b.N {
		cmd := exec.Command("sh", "-c", `LC_ALL=C sort -n -S 2G --parallel=2 "$1" | uniq -d > /dev/null`, "sh", name)
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Run(f, Options{Layout: &l, Ordered: true, Now: time.Now(), TempDir: b.TempDir()})
		f.Close()
		if err != nil || rep.Duplicates == 0 || rep.IDs != int64(*benchLines) {
			b.Fatal(err, rep.IDs, rep.Duplicates)
		}
		sortTime += t1.Sub(t0)
		checkTime += time.Since(t1)
		runtime.GC()
	}
	b.StopTimer()
	b.ReportMetric(checkTime.Seconds()/sortTime.Seconds(), "ratio_to_sort")
	b.ReportMetric(sortTime.Seconds()/float64(b.N), "sort_s")
	b.ReportMetric(checkTime.Seconds()/float64(b.N), "check_s")
	b.ReportMetric(float64(*benchLines)*float64(b.N)/checkTime.Seconds(), "lines/s")
}
