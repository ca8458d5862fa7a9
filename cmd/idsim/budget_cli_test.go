package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileScenarioFiles runs each scenario that once ran idsim out of
// memory or time through the binary: exit 2 within 10 s and under 1 GB,
// the message names the file and the line that asks, nothing written.
func TestHostileScenarioFiles(t *testing.T) {
	bin := binary(t)
	head := "name: h\nduration: 10s\nworkers: {count: 10}\nload: {per_worker: 10/s}\nschemes:\n  - {label: a, kind: snowflake, layout: twitter}\n"
	many := func(n int, entry string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  - "+entry+"\n", i)
		}
		return b.String()
	}
	for _, tt := range []struct{ name, src, want string }{
		{"flood", head + "faults:\n  - {kind: sequence_flood, at: 1s, for: 5s, workers: all, rate: 1000000000000/s}\n", "h.yaml:8:5: the scenario asks for about 5e+13 IDs"},
		{"nested", "name: h\nx: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n", "h.yaml:2:"},
		{"restarts", strings.Replace(strings.Replace(head, "count: 10", "count: 100000", 1), "kind: snowflake, layout: twitter", "kind: uuidv4", 1) + "faults:\n  - {kind: restart, at: 1s, workers: all, downtime: 0s, times: 1000000, every: 1ns}\n", "h.yaml:8:5: restart#1 restarts workers"},
		{"schemes", strings.Replace(head, "  - {label: a, kind: snowflake, layout: twitter}\n", many(20_000, "{label: s%d, kind: uuidv4}"), 1), "h.yaml:6:"},
		{"faults", head + "faults:\n" + many(200_000, "{kind: pause, at: 1s, for: 1ms, workers: [%d]}"), "h.yaml:"},
		{"budget", strings.Replace(head, "per_worker: 10/s", "per_worker: 1000000/s", 1) + "", "--max-memory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "h.yaml"), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"run", "h.yaml", "--out", "out"}
			if tt.name == "budget" {
				args = append(args, "--max-memory", "100MB")
			}
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			var errb bytes.Buffer
			cmd.Stderr = &errb
			start := time.Now()
			cmd.Run()
			took := time.Since(start)
			maxRSS := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10 // kB on Linux
			if code := cmd.ProcessState.ExitCode(); code != exitUsage {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr does not say %q:\n%.400s", tt.want, errb.String())
			}
			if took > 10*time.Second || maxRSS > 1<<30 {
				t.Errorf("took %v and %d MB; want under 10 s and 1 GB", took, maxRSS>>20)
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Error("output written")
			}
			t.Logf("%s: %v, %d MB", tt.name, took.Round(time.Millisecond), maxRSS>>20)
		})
	}
}
