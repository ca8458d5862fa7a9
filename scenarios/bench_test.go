package scenarios

import (
	"runtime"
	"strings"
	"testing"
)

// bench1024 is the benchmark scenario: 1024 workers (every node ID of the
// Twitter layout) at 20,000 IDs/s each for 2 s of virtual time: 41
// million IDs.
const bench1024 = `name: bench-1024
duration: 2s
workers: {count: 1024}
load: {per_worker: 20000/s, pattern: poisson}
schemes:
  - {label: error, kind: snowflake, layout: twitter, on_clock_backward: error}
`

// BenchmarkTwitter1024Workers measures the whole pipeline of idsim run —
// simulation, recording every ID, the uniqueness and order checks and the
// report model — in simulated IDs per second of wall time, and the bytes
// allocated per ID (an upper bound on the memory held per ID).
func BenchmarkTwitter1024Workers(b *testing.B) { benchScenario(b, bench1024) }

// BenchmarkLease1024Workers is the same with worker IDs from the
// simulated coordinator under fenced leases: 1024 claims, a renewal per
// worker every 100ms, and the fence checked before every ID.
func BenchmarkLease1024Workers(b *testing.B) {
	benchScenario(b, strings.Replace(bench1024, "on_clock_backward: error}",
		"on_clock_backward: error, worker_ids: {strategy: lease, ttl: 1s, heartbeat: 100ms}}", 1))
}

func benchScenario(b *testing.B, src string) {
	sc, err := Parse("bench.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	var ids, record int64
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		r := res.Runs[0]
		if r.Duplicates != 0 || r.MonotonicViolations != 0 {
			b.Fatalf("%d duplicates, %d out of order", r.Duplicates, r.MonotonicViolations)
		}
		ids += r.Generated
		record += r.RecordBytes
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(ids)/b.Elapsed().Seconds(), "ids/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(ids), "alloc-B/ID")
	b.ReportMetric(float64(record)/float64(ids), "record-B/ID")
}
