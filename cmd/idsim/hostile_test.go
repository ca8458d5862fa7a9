//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds idsim once per test run, with the test hooks (which act
// only when their environment variable is set), and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "idsim-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "idsim")
		out, err := exec.Command("go", "build", "-tags", "idsim_testhooks", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatal("building idsim:", buildErr)
	}
	return binPath
}

// runBinary runs the built idsim in dir with a time limit and returns its
// exit status and output.
func runBinary(t *testing.T, dir string, limit time.Duration, args ...string) (int, string, string) {
	t.Helper()
	bin := binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("idsim %v: still running after %v\n%s%s", args, limit, out.String(), errb.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// snapshot returns every path under root with its size and mode, and the
// content of small regular files.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			v += " " + string(b)
		}
		m[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameTree fails the test if anything under root changed since before.
func sameTree(t *testing.T, root string, before map[string]string) {
	t.Helper()
	after := snapshot(t, root)
	for p, v := range after {
		if w, ok := before[p]; !ok {
			t.Errorf("new: %s", p)
		} else if w != v {
			t.Errorf("changed: %s", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("removed: %s", p)
		}
	}
}

const small = "name: small\nduration: 100ms\nworkers: {count: 2}\nload: {per_worker: 1000/s}\nschemes: [{label: v7, kind: uuidv7}]\n"

// Hostile input to run, sweep and report: exit 2 within 10 s, a message
// naming the input, nothing written.
func TestHostileInput(t *testing.T) {
	binary(t) // built before the clock starts
	root := t.TempDir()
	dir := filepath.Join(root, "work")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
	fifoDir := filepath.Join(dir, "scenarios")
	os.Mkdir(fifoDir, 0o755)
	os.WriteFile(filepath.Join(fifoDir, "a.yaml"), []byte(small), 0o644)
	if err := syscall.Mkfifo(filepath.Join(fifoDir, "b.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(filepath.Join(empty, "x"), 0o755)
	os.WriteFile(filepath.Join(empty, "x", "results.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, "afile"), []byte("precious"), 0o644)
	before := snapshot(t, root)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "/dev/zero", "--out", "out"}, "/dev/zero: larger than 1 MiB"},
		{[]string{"run", "scenarios", "--out", "out"}, "scenarios/b.yaml: a named pipe"},
		{[]string{"sweep", "small.yaml", "--first", "18446744073709551615", "--seeds", "4", "--out", "out"}, "run past the largest seed"},
		{[]string{"sweep", "small.yaml", "--seeds", "100000000", "--out", "afile"}, "--out afile: exists and is not a directory"},
		{[]string{"run", "small.yaml", "--out", "afile"}, "--out afile: exists and is not a directory"},
		{[]string{"run", "small.yaml", "--out", "afile/sub"}, "afile is not a directory"},
		{[]string{"report", "empty", "--out", "out"}, "empty/x/results.json: not a results.json idsim wrote"},
		{[]string{"minimize", "small.yaml", "--out", "."}, "is a directory"},
		{[]string{"merge", "small.yaml", "--out", "out"}, "small.yaml: not a sweep shard"},
	} {
		start := time.Now()
		code, _, errs := runBinary(t, dir, 10*time.Second, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("idsim %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("idsim %v took %v", tt.args, d)
		}
	}
	sameTree(t, root, before)
}

// A scenario file starting with a UTF-8 byte order mark runs.
func TestRunByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bom.yaml"), []byte("\ufeff"+small), 0o644)
	if code, out, errs := idsim(t, dir, "run", "bom.yaml", "--quiet", "--out", "out"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// A regular file where a run's output directory goes is an error, and is
// left as it was.
func TestRunKeepsAFileAtItsOutput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
	os.MkdirAll(filepath.Join(dir, "out"), 0o755)
	os.WriteFile(filepath.Join(dir, "out", "small"), []byte("precious"), 0o644)
	code, _, errs := idsim(t, dir, "run", "small.yaml", "--out", "out")
	if code != 2 || !strings.Contains(errs, "out/small exists and is not a directory") {
		t.Errorf("exit %d, %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out", "small")); string(b) != "precious" {
		t.Errorf("the file holds %q", b)
	}
}

// A shard whose scenario name is a path is refused, and nothing is
// written anywhere around --out.
func TestMergeShardNamingAPath(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
	for _, k := range []string{"1/2", "2/2"} {
		if code, out, errs := idsim(t, dir, "sweep", "small.yaml", "--seeds", "4", "--shard", k, "--out", "shards"); code != 0 {
			t.Fatalf("sweep: %d %s%s", code, out, errs)
		}
	}
	for _, name := range []string{"../x", "../../../x", "..", "."} {
		for _, k := range []string{"1-of-2", "2-of-2"} {
			p := filepath.Join(dir, "shards", "small", "sweep-shard-"+k+".json")
			b, _ := os.ReadFile(p)
			b = bytes.Replace(b, []byte(`"scenario": "small"`), []byte(`"scenario": "`+name+`"`), 1)
			os.WriteFile(filepath.Join(dir, "shards", "small", "evil-"+k+".json"), b, 0o644)
		}
		before := snapshot(t, root)
		code, _, errs := idsim(t, dir, "merge", "shards/small/evil-1-of-2.json", "shards/small/evil-2-of-2.json", "--out", "out")
		if code != 2 || !strings.Contains(errs, "shards/small/evil-1-of-2.json: scenario name") {
			t.Errorf("%q: exit %d, %s", name, code, errs)
		}
		sameTree(t, root, before)
	}
}

// merge refuses shards whose file names disagree with what they hold,
// naming the file.
func TestMergeChecksShardFileNames(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
	for _, k := range []string{"1/2", "2/2"} {
		if code, out, errs := idsim(t, dir, "sweep", "small.yaml", "--seeds", "4", "--shard", k, "--out", "shards"); code != 0 {
			t.Fatalf("sweep: %d %s%s", code, out, errs)
		}
	}
	os.Rename(filepath.Join(dir, "shards", "small", "sweep-shard-2-of-2.json"), filepath.Join(dir, "shards", "small", "sweep-shard-7-of-9.json"))
	code, _, errs := idsim(t, dir, "merge", "shards", "--out", "out")
	if code != 2 || !strings.Contains(errs, `shards/small/sweep-shard-7-of-9.json: holds shard "2/2", but its name says 7/9`) {
		t.Errorf("exit %d, %s", code, errs)
	}
	os.WriteFile(filepath.Join(dir, "shards", "small", "sweep-shard-7-of-9.json"), []byte("{}"), 0o644)
	code, _, errs = idsim(t, dir, "merge", "shards", "--out", "out")
	if code != 2 || !strings.Contains(errs, "sweep-shard-7-of-9.json: holds shard \"\"") {
		t.Errorf("{}: exit %d, %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("merge wrote output: %v", err)
	}
}

// sweep, merge, report and minimize write files with mode 0644, like run.
func TestOutputModes(t *testing.T) {
	dir := t.TempDir()
	src := "name: flaky\nduration: 100ms\nworkers: {count: 2}\nload: {per_worker: 1000/s}\nschemes: [{label: v4, kind: uuidv4, random_bits: 16}]\nexpect: {v4: {unique: true}}\n"
	os.WriteFile(filepath.Join(dir, "flaky.yaml"), []byte(src), 0o644)
	idsim(t, dir, "sweep", "flaky.yaml", "--seeds", "30", "--out", "sw")
	idsim(t, dir, "run", "flaky.yaml", "--quiet", "--out", "runs")
	idsim(t, dir, "report", "runs", "--out", "cmp")
	_, out, _ := idsim(t, dir, "sweep", "flaky.yaml", "--seeds", "30", "--out", "sw")
	seed := strings.TrimSpace(out[strings.LastIndex(out, "--seed ")+len("--seed "):])
	if code, out, errs := idsim(t, dir, "minimize", "flaky.yaml", "--seed", seed, "--out", "min.yaml"); code != 0 {
		t.Fatalf("minimize: exit %d %s%s", code, out, errs)
	}
	mask := umask()
	for _, f := range []string{"sw/flaky/sweep.json", "sw/flaky/sweep.md", "cmp/comparison.md", "cmp/comparison.png", "min.yaml", "runs/flaky/results.json"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Error(err)
			continue
		}
		if st.Mode().Perm() != 0o644&^mask {
			t.Errorf("%s: mode %v", f, st.Mode())
		}
	}
}

// A panic in idsim exits 3 and says it is a bug, with the stack.
func TestPanicIsABug(t *testing.T) {
	var errb bytes.Buffer
	code := guarded(&errb, func() int { panic("boom") })
	if code != exitBug || !strings.Contains(errb.String(), "idsim: internal error: boom") ||
		!strings.Contains(errb.String(), "This is a bug in idsim") || !strings.Contains(errb.String(), "goroutine ") {
		t.Errorf("exit %d\n%s", code, errb.String())
	}
	if code := guarded(&errb, func() int { return 1 }); code != 1 {
		t.Errorf("exit %d, want the command's", code)
	}
}

// A crash nothing can recover (a panic on another goroutine) and a panic
// on the main goroutine both exit 3, saying it is a bug, never 2.
func TestCrashIsABug(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
	for _, tt := range []struct{ crash, want string }{
		{"goroutine", "panic: test crash on another goroutine"},
		{"main", "idsim: internal error: test crash on the main goroutine"},
	} {
		t.Setenv("IDSIM_TEST_CRASH", tt.crash)
		code, _, errs := runBinary(t, dir, time.Minute, "run", "small.yaml", "--quiet", "--out", "out")
		if code != exitBug || !strings.Contains(errs, tt.want) || !strings.Contains(errs, "This is a bug in idsim") {
			t.Errorf("%s: exit %d\n%s", tt.crash, code, errs)
		}
	}
	os.Unsetenv("IDSIM_TEST_CRASH")
	if code, _, errs := runBinary(t, dir, time.Minute, "run", "small.yaml", "--quiet", "--out", "out"); code != 0 {
		t.Errorf("without a crash: exit %d\n%s", code, errs)
	}
}
