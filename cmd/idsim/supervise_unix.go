//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

// crashFDEnv names the environment variable that tells a supervised
// idsim which file descriptor to report fatal crashes on.
const crashFDEnv = "IDSIM_CRASH_FD"

// supervise runs this idsim again as a child process, with the same
// arguments, standard files and environment, and returns its exit status.
// It is there so that a crash nothing in the process can recover from —
// a panic on another goroutine, the runtime running out of memory, both
// of which exit 2 like bad input — is reported as what it is: the
// child's runtime also writes such a crash to a pipe (debug.SetCrashOutput),
// and supervise then says it is a bug and exits 3. SIGINT and SIGTERM
// are passed on to the child. ok is false when the child could not be
// started; the caller then runs the command itself.
func supervise(stderr io.Writer) (status int, ok bool) {
	if os.Getenv(crashFDEnv) != "" {
		return 0, false // the child: run the command
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, false
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, false
	}
	defer r.Close()
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.Env = append(os.Environ(), crashFDEnv+"=3")
	dieWithParent(cmd)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		w.Close()
		return 0, false
	}
	w.Close()
	crash := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 1<<16))
		crash <- b
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case sig := <-sigs:
			cmd.Process.Signal(sig)
			continue
		case err = <-done:
		}
		break
	}
	r.SetReadDeadline(time.Now().Add(time.Second))
	report := <-crash
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintf(stderr, "idsim: waiting for the command: %v\n", err)
		return exitBug, true
	}
	if len(report) > 0 {
		fmt.Fprintf(stderr, "\nidsim: internal error: idsim crashed (the report is above). This is a bug in idsim, not a problem with your input. Please report it with the command line and that report.\n")
		return exitBug, true
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), true
	}
	return cmd.ProcessState.ExitCode(), true
}

// reportCrashes, in a supervised child, has the runtime write fatal
// crashes to the pipe supervise reads as well as to stderr.
func reportCrashes() {
	fd, err := strconv.Atoi(os.Getenv(crashFDEnv))
	os.Unsetenv(crashFDEnv) // not for the programs idsim starts
	if err != nil || fd < 3 {
		return
	}
	f := os.NewFile(uintptr(fd), "crash report")
	if f == nil {
		return
	}
	debug.SetCrashOutput(f, debug.CrashOptions{})
	f.Close() // SetCrashOutput keeps its own copy, closed on exec
}
