package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/idsim/idsim/scenarios/live"
)

// idsim live runs programs; a Go program draws a warning that
// libfaketime does not reach it, on stderr and in the results' notes.
// (`go version` answers init with a line that is no protocol message:
// every call fails, and the run goes on.)
func TestLiveWarnsOfGoPrograms(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go is not on PATH")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "go-live.yaml")
	os.WriteFile(file, []byte(`name: go-live
duration: 200ms
workers: {count: 1}
load: {per_worker: 20/s}
schemes:
  - {label: gover, kind: process, command: [go, version]}
faults:
  - {kind: clock_step, at: 100ms, workers: [0], by: -50ms}
`), 0o644)
	code, _, errs := idsim(t, dir, "live", file, "--quiet", "--out", "out")
	if code != 0 || !strings.Contains(errs, "warning") || !strings.Contains(errs, "libfaketime does not reach Go programs") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	res, err := os.ReadFile(filepath.Join(dir, "out", "go-live", "results.json"))
	if err != nil || !strings.Contains(string(res), "libfaketime does not reach Go programs") {
		t.Errorf("results.json (%v) does not say so:\n%s", err, res)
	}
}

// A program on real time under a clock step, with no libfaketime: exit
// status 2, saying so, and nothing written.
func TestLiveWithoutFaketime(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ft.yaml")
	os.WriteFile(file, []byte(`name: ft
duration: 200ms
workers: {count: 2}
load: {per_worker: 20/s}
schemes:
  - {label: py, kind: process, command: [python3, gen.py]}
faults:
  - {kind: clock_step, at: 100ms, workers: [1], by: -50ms}
`), 0o644)
	t.Setenv("IDSIM_LIBFAKETIME", filepath.Join(dir, "no-such", "libfaketime.so.1"))
	code, _, errs := idsim(t, dir, "live", file, "--out", "out")
	if code != 2 || !strings.Contains(errs, "libfaketime") || !strings.Contains(errs, "scheme py (line 6)") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("output written")
	}
}

// live interrupted while its programs run on libfaketime exits 130,
// writes nothing and leaves no timestamp files.
func TestLiveProgramsInterrupted(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not installed")
	}
	if _, err := live.Faketime(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v: in CI this test runs, it does not skip (.ci/run installs faketime)", err)
		}
		t.Skip(err)
	}
	dir, tmp := t.TempDir(), t.TempDir()
	file, _ := filepath.Abs("../../examples/process-live-clock-step.yaml")
	started := func(string, string) bool {
		m, _ := filepath.Glob(filepath.Join(tmp, "idsim-faketime-*", "worker-1"))
		return len(m) > 0
	}
	code, out, errs := interrupt(t, dir, []string{"TMPDIR=" + tmp}, syscall.SIGINT, started, "live", file, "--out", "out")
	if code != 130 || !strings.Contains(errs, "stopped by a signal; nothing written") {
		t.Errorf("exit %d, want 130\n%s%s", code, out, errs)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("left in TMPDIR: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("output written")
	}
}
