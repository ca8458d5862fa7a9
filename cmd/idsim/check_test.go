package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheckHelperProcess is not a test: TestCheckSignal runs the test
// binary as idsim with it.
func TestCheckHelperProcess(t *testing.T) {
	if os.Getenv("IDSIM_CHECK_HELPER") != "1" {
		t.Skip("run by TestCheckSignal")
	}
	os.Exit(cli(strings.Split(os.Getenv("IDSIM_CHECK_ARGS"), "\x1f"), os.Stdout, os.Stderr))
}

// spillFiles lists the files under dir that process pid holds open,
// deleted or not.
func spillFiles(pid int, dir string) []string {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	var open []string
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") {
			open = append(open, target)
		}
	}
	return open
}

// TestCheckSignal interrupts idsim check while it spills sorted runs,
// with SIGINT and SIGTERM, both while lines are still arriving and while
// it waits on a silent pipe: it must exit 130 or 143 and leave nothing in
// its temporary directory (nor ever show a spill file there).
func TestCheckSignal(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc to see the spill files")
	}
	for _, tt := range []struct {
		sig    syscall.Signal
		code   int
		silent bool // stop writing before the signal
	}{
		{syscall.SIGINT, 130, false},
		{syscall.SIGTERM, 143, false},
		{syscall.SIGINT, 130, true},
	} {
		t.Run(fmt.Sprintf("%v silent=%v", tt.sig, tt.silent), func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCheckHelperProcess$")
			cmd.Env = append(os.Environ(), "IDSIM_CHECK_HELPER=1", "TMPDIR="+tmp,
				"IDSIM_CHECK_ARGS="+strings.Join([]string{"check", "-", "--layout", "twitter", "--ordered", "--chunk", "20000", "--tmp", tmp}, "\x1f"))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			stopWriting := make(chan struct{})
			wrote := make(chan struct{})
			go func() {
				defer close(wrote)
				w := bufio.NewWriter(stdin)
				for i := uint64(0); ; i++ {
					fmt.Fprintln(w, 1<<40+i*4096)
					if i%10000 == 0 {
						select {
						case <-stopWriting:
							w.Flush()
							return
						default:
						}
					}
				}
			}()
			deadline := time.Now().Add(60 * time.Second)
			for len(spillFiles(cmd.Process.Pid, tmp)) < 2 {
				if time.Now().After(deadline) {
					t.Fatalf("no spill files after 60 s; stderr: %s", stderr.String())
				}
				// Spill files never have a name (O_TMPFILE); only the
				// writability probe of --tmp, removed at once, may be
				// seen for an instant.
				entries, _ := os.ReadDir(tmp)
				for _, e := range entries {
					if !strings.HasSuffix(e.Name(), ".probe") {
						t.Errorf("a spill file is visible in the temporary directory: %v", e.Name())
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
			if tt.silent {
				close(stopWriting)
				<-wrote
				time.Sleep(50 * time.Millisecond)
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 30 s after %v", tt.sig)
			}
			if !tt.silent {
				close(stopWriting)
			}
			stdin.Close()
			var exit *exec.ExitError
			if !errors.As(werr, &exit) || exit.ExitCode() != tt.code {
				t.Errorf("after %v: %v, want exit %d; stderr: %s", tt.sig, werr, tt.code, stderr.String())
			}
			if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
				t.Errorf("left in the temporary directory: %v", entries)
			}
		})
	}
}

// TestCheckRefusesBadOptions: node IDs beyond the layout, without a
// layout, a negative --examples, an unusable --tmp: exit 2 at once.
func TestCheckRefusesBadOptions(t *testing.T) {
	dir := t.TempDir()
	ids := filepath.Join(dir, "ids.txt")
	os.WriteFile(ids, []byte("175928847299117063\n"), 0o644)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o644)
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"check", ids, "--layout", "twitter", "--workers", "0-1024"}, "node IDs are 0-1023"},
		{[]string{"check", ids, "--layout", "twitter", "--workers", strings.Repeat("0-1048576,", 49) + "0-1048576"}, "node IDs are 0-1023"},
		{[]string{"check", ids, "--workers", "0-31"}, "--workers needs --layout"},
		{[]string{"check", ids, "--examples", "-5"}, "--examples -5: want 0 or more"},
		{[]string{"check", ids, "--chunk", "0"}, "--chunk 0"},
		{[]string{"check", ids, "--tmp", filepath.Join(dir, "missing")}, "--tmp"},
		{[]string{"check", ids, "--tmp", notDir}, "--tmp"},
	} {
		start := time.Now()
		code, out, errs := idsim(t, dir, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.msg) || out != "" {
			t.Errorf("%v: exit %d, %q %q; want 2 and %q", tt.args, code, out, errs, tt.msg)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v took %v", tt.args, d)
		}
	}
	// A wide but valid set costs nothing; --examples 0 lists no findings.
	os.WriteFile(ids, []byte("175928847299117063\n175928847299117063\n"), 0o644)
	code, out, errs := idsim(t, dir, "check", ids, "--layout", "discord", "--workers", "0-1023", "--examples", "0", "--now", "2026-01-01T00:00:00Z")
	if code != 1 || !strings.Contains(out, "duplicates:            1\n") || strings.Contains(out, "repeats") {
		t.Errorf("--examples 0: exit %d\n%s%s", code, out, errs)
	}
}

// TestCheckOrdered128Bits runs the command on UUIDv7s whose low halves
// fall while the high halves rise: in order.
func TestCheckOrdered128Bits(t *testing.T) {
	dir := t.TempDir()
	ids := filepath.Join(dir, "ids.txt")
	os.WriteFile(ids, []byte("0190a000-0000-7000-8000-000000000009\n0190a000-0001-7000-8000-000000000001\n"), 0o644)
	code, out, errs := idsim(t, dir, "check", ids, "--ordered", "--now", "2026-01-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "order violations:      none") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	os.WriteFile(ids, []byte("0190a000-0001-7000-8000-000000000001\n0190a000-0000-7000-8000-000000000009\n"), 0o644)
	code, out, _ = idsim(t, dir, "check", ids, "--ordered", "--now", "2026-01-01T00:00:00Z")
	if code != 1 || !strings.Contains(out, "order violations:      1") {
		t.Errorf("backwards: exit %d\n%s", code, out)
	}
}
