//go:build unix

package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a process to write and a test to
// read at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// interrupt starts the built idsim in dir, waits until ready says so (or
// 60 s pass), sends sig, and returns the exit status and output.
func interrupt(t *testing.T, dir string, env []string, sig syscall.Signal, ready func(stdout, stderr string) bool, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for !ready(out.String(), errb.String()) {
		select {
		case err := <-done:
			t.Fatalf("idsim %v ended (%v) before the signal could be sent\n%s%s", args, err, out.String(), errb.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("idsim %v: never ready\n%s%s", args, out.String(), errb.String())
		}
	}
	cmd.Process.Signal(sig)
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("idsim %v: still running 30 s after %v", args, sig)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// startedFor waits until idsim says it has started (its signal handling
// in place; see testhooks.go) and then d more, to be at work.
func startedFor(d time.Duration) func(string, string) bool {
	var start time.Time
	return func(_, stderr string) bool {
		if start.IsZero() {
			if !strings.Contains(stderr, "idsim-test: started") {
				return false
			}
			start = time.Now()
		}
		return time.Since(start) >= d
	}
}

func printed(s string) func(string, string) bool {
	return func(stdout, stderr string) bool { return strings.Contains(stdout+stderr, s) }
}

// noTemp fails the test if a temporary file or directory is left under
// root.
func noTemp(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.Contains(d.Name(), ".tmp-") || strings.HasSuffix(d.Name(), ".old")) {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}

// oldOutput puts a previous run's output, marked, at out/<name>.
func oldOutput(t *testing.T, dir, name string, files ...string) {
	t.Helper()
	for _, f := range append(files, "OLD-MARKER") {
		p := filepath.Join(dir, "out", name, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("old "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// isOld and isNew tell the previous output from a complete new one.
func isOld(t *testing.T, dir, name string, files ...string) {
	t.Helper()
	for _, f := range append(files, "OLD-MARKER") {
		if b, err := os.ReadFile(filepath.Join(dir, "out", name, f)); err != nil || string(b) != "old "+f {
			t.Errorf("old output %s/%s: %q, %v", name, f, b, err)
		}
	}
}

func isNew(t *testing.T, dir, name string, files ...string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "out", name, "OLD-MARKER")); err == nil && slices.Equal(files, runFiles) {
		// run replaces the whole directory; sweep writes files into it.
		t.Errorf("%s: the old output is still there", name)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, "out", name, f))
		if err != nil || len(b) == 0 || strings.HasPrefix(string(b), "old ") {
			t.Errorf("new output %s/%s: %d bytes, %v", name, f, len(b), err)
		}
	}
}

const long = "name: long\nduration: 10s\nworkers: {count: 16}\nload: {per_worker: 100000/s}\nschemes: [{label: v7, kind: uuidv7}]\n"

var runFiles = []string{"results.json", "report.md", "report.html", "duplicates.csv"}

// SIGINT and SIGTERM at every stage of run: while simulating, between
// scenarios, while writing. What is on disk afterwards is each
// scenario's old output or its whole new output, never a temporary
// directory, and the exit status is 130 or 143.
func TestRunInterrupted(t *testing.T) {
	for _, tt := range []struct {
		stage string
		env   []string
		sig   syscall.Signal
		ready func(string, string) bool
		code  int
		// small and long say which output each scenario has afterwards.
		smallNew, longNew bool
	}{
		{"simulating the first scenario", nil, syscall.SIGINT, startedFor(300 * time.Millisecond), 130, false, false},
		{"simulating the second scenario", nil, syscall.SIGTERM, printed("small passed"), 143, true, false},
		{"writing the first scenario", []string{"IDSIM_TEST_COMMIT_DELAY=1s"}, syscall.SIGINT, printed("idsim-test: committing"), 130, true, false},
	} {
		t.Run(tt.stage, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
			os.WriteFile(filepath.Join(dir, "long.yaml"), []byte(long), 0o644)
			oldOutput(t, dir, "small", runFiles...)
			oldOutput(t, dir, "long", runFiles...)
			args := []string{"run", "small.yaml", "long.yaml", "--quiet", "--out", "out"}
			if tt.stage == "simulating the first scenario" {
				args = []string{"run", "long.yaml", "small.yaml", "--quiet", "--out", "out"}
			}
			code, out, errs := interrupt(t, dir, tt.env, tt.sig, tt.ready, args...)
			if code != tt.code || !strings.Contains(errs, "stopped") {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			for name, isNewNow := range map[string]bool{"small": tt.smallNew, "long": tt.longNew} {
				if isNewNow {
					isNew(t, dir, name, runFiles...)
				} else {
					isOld(t, dir, name, runFiles...)
				}
			}
			noTemp(t, dir)
		})
	}
}

// sweep, minimize, merge and report interrupted while working or while
// writing: old output intact or new output whole, nothing else.
func TestOtherCommandsInterrupted(t *testing.T) {
	dir := t.TempDir()
	flakySrc := "name: flaky\nduration: 100ms\nworkers: {count: 2}\nload: {per_worker: 1000/s}\nschemes: [{label: v4, kind: uuidv4, random_bits: 16}]\nexpect: {v4: {unique: true}}\n"
	os.WriteFile(filepath.Join(dir, "flaky.yaml"), []byte(flakySrc), 0o644)
	// long fails: UUIDv7 has no duplicates.
	os.WriteFile(filepath.Join(dir, "failing.yaml"), []byte(long+"expect: {v7: {duplicates: \">0\"}}\n"), 0o644)
	sweepFiles := []string{"sweep.json", "sweep.md"}
	oldOutput(t, dir, "flaky", sweepFiles...)

	code, out, errs := interrupt(t, dir, nil, syscall.SIGINT, startedFor(300*time.Millisecond), "sweep", "flaky.yaml", "--seeds", "1000000", "--out", "out")
	if code != 130 {
		t.Errorf("sweep while running: exit %d\n%s%s", code, out, errs)
	}
	isOld(t, dir, "flaky", sweepFiles...)

	delay := []string{"IDSIM_TEST_COMMIT_DELAY=1s"}
	code, out, errs = interrupt(t, dir, delay, syscall.SIGTERM, printed("idsim-test: committing"), "sweep", "flaky.yaml", "--seeds", "20", "--out", "out")
	if code != 143 {
		t.Errorf("sweep while writing: exit %d\n%s%s", code, out, errs)
	}
	isNew(t, dir, "flaky", sweepFiles...)

	code, out, errs = interrupt(t, dir, nil, syscall.SIGINT, startedFor(300*time.Millisecond), "minimize", "failing.yaml", "--out", "min.yaml")
	if code != 130 {
		t.Errorf("minimize: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "min.yaml")); err == nil {
		t.Error("minimize wrote its file although interrupted")
	}

	for _, k := range []string{"1/2", "2/2"} {
		if code, out, errs := runBinary(t, dir, time.Minute, "sweep", "flaky.yaml", "--seeds", "6", "--shard", k, "--out", "shards"); code == 2 {
			t.Fatalf("sweep %s: %s%s", k, out, errs)
		}
	}
	code, out, errs = interrupt(t, dir, delay, syscall.SIGINT, printed("idsim-test: committing"), "merge", "shards", "--out", "merged")
	if code != 130 {
		t.Errorf("merge while writing: exit %d\n%s%s", code, out, errs)
	}
	for _, f := range sweepFiles {
		if b, err := os.ReadFile(filepath.Join(dir, "merged", "flaky", f)); err != nil || len(b) == 0 {
			t.Errorf("merge: %s: %v", f, err)
		}
	}

	if code, out, errs := runBinary(t, dir, time.Minute, "run", "flaky.yaml", "--quiet", "--out", "runs"); code == 2 {
		t.Fatalf("run: %s%s", out, errs)
	}
	code, out, errs = interrupt(t, dir, delay, syscall.SIGINT, printed("idsim-test: committing"), "report", "runs", "--out", "cmp")
	if code != 130 {
		t.Errorf("report while writing: exit %d\n%s%s", code, out, errs)
	}
	for _, f := range []string{"comparison.md", "comparison.html", "comparison.png"} {
		if b, err := os.ReadFile(filepath.Join(dir, "cmp", f)); err != nil || len(b) == 0 {
			t.Errorf("report: %s: %v", f, err)
		}
	}
	noTemp(t, dir)
}

// live stopped by SIGTERM or SIGINT while running against its in-process
// etcd exits 143 or 130, writes nothing and leaves no etcd data
// directory.
func TestLiveInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		dir, tmp := t.TempDir(), t.TempDir()
		code, out, errs := interrupt(t, dir, []string{"TMPDIR=" + tmp}, sig, printed("in-process etcd at"), "live", "zombie-lease", "--out", "out")
		if want := 128 + int(sig); code != want || !strings.Contains(errs, "stopped by a signal; nothing written") {
			t.Errorf("%v: exit %d, want %d\n%s%s", sig, code, want, out, errs)
		}
		if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
			t.Errorf("%v: left in TMPDIR: %v", sig, entries)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Errorf("%v: output written", sig)
		}
	}
}

// live against an etcd nobody listens on is an error of the set-up, exit
// 2, not a violated expectation (1), and writes nothing.
func TestLiveUnreachableEtcd(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runBinary(t, dir, time.Minute, "live", "zombie-lease", "--etcd-endpoints", "http://127.0.0.1:1", "--quiet", "--out", "out")
	if code != exitUsage || !strings.Contains(errs, "etcd at http://127.0.0.1:1 does not answer") {
		t.Errorf("exit %d, want 2\n%s", code, errs)
	}
	// One clear line, not the etcd client's logs (the test hooks' own
	// lines aside).
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
		if !strings.HasPrefix(l, "idsim-test:") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || strings.Contains(errs, `"level"`) {
		t.Errorf("%d lines on stderr, want 1:\n%s", len(lines), errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("output written")
	}
}

// The TLS and authentication flags are checked before anything runs.
func TestLiveEtcdFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--etcd-cacert", "ca.pem"}, "apply to a cluster given with --etcd-endpoints"},
		{[]string{"--etcd-endpoints", "https://127.0.0.1:1", "--etcd-cacert", filepath.Join(dir, "none.pem")}, "--etcd-cacert"},
		{[]string{"--etcd-endpoints", "https://127.0.0.1:1", "--etcd-cert", "c.pem"}, "--etcd-cert and --etcd-key go together"},
	} {
		code, _, errs := runBinary(t, dir, time.Minute, append([]string{"live", "zombie-lease", "--quiet", "--out", "out"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, %s; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
}
