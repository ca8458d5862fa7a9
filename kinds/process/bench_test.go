package process_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idsim/idsim/scenarios"
)

// BenchmarkProcessBatched measures IDs per second through the process
// protocol for the Go example in its batched form, beside the same
// Snowflake (41-bit ms since 2020, 10-bit worker, 12-bit sequence)
// built in, in the same run: 2 workers × 1,000,000 calls/s × 1 s each,
// the whole pipeline (checks included). Metrics: process_ids/s,
// inprocess_ids/s, and process/inprocess.
//
//	go test -run '^$' -bench ProcessBatched -benchtime 3x ./kinds/process
func BenchmarkProcessBatched(b *testing.B) {
	bin := buildGoExample(b)
	dir := b.TempDir()
	load := func(name, scheme string) *scenarios.Scenario {
		src := "name: " + name + `
seed: 1
duration: 1s
workers: {count: 2}
load: {per_worker: 1000000/s, pattern: poisson}
schemes:
  - ` + scheme + "\n"
		file := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		sc, err := scenarios.Load(file)
		if err != nil {
			b.Fatal(err)
		}
		return sc
	}
	proc := load("process", "{label: go, kind: process, command: ["+bin+"]}")
	inproc := load("inprocess", "{label: built-in, kind: snowflake, on_clock_backward: error, layout: {epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, worker_bits: 10, sequence_bits: 12}}")
	var pt, it time.Duration
	var ids int64
	for b.Loop() {
		for _, x := range []struct {
			sc *scenarios.Scenario
			d  *time.Duration
		}{{proc, &pt}, {inproc, &it}} {
			start := time.Now()
			res, err := scenarios.Run(x.sc, scenarios.Options{})
			*x.d += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if r := res.Runs[0]; r.Errors != 0 || r.Generated < 1_900_000 {
				b.Fatalf("%s: %d IDs, %d errors", r.Scheme, r.Generated, r.Errors)
			}
			if x.sc == proc {
				ids += res.Runs[0].Generated
			}
		}
	}
	b.ReportMetric(float64(ids)/pt.Seconds(), "process_ids/s")
	b.ReportMetric(float64(ids)/it.Seconds(), "inprocess_ids/s")
	b.ReportMetric(it.Seconds()/pt.Seconds(), "process/inprocess")
}
