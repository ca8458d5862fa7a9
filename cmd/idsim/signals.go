package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
)

// exitBug is the exit status when idsim itself failed: a panic, which is
// a bug in idsim and never a verdict on the input.
const exitBug = 3

// onInterrupt makes SIGINT and SIGTERM stop the process once no output
// is being written (see writing), with the shell's status for the
// signal: 130 for SIGINT, 143 for SIGTERM. Output replaced atomically
// and temporary files removed under the lock, that leaves on disk either
// the old output or the new, and nothing else.
func onInterrupt(stderr io.Writer) {
	stopOutput = stderr
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		interrupted.Store(signalStatus(<-ch))
		writing.Lock()
		stop()
	}()
}

// cancelOnSignal returns a context cancelled by SIGINT or SIGTERM, which
// also set interrupted, for a command that stops its work itself and
// cleans up before it returns (live). stop undoes it.
func cancelOnSignal() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-ch:
			interrupted.Store(signalStatus(sig))
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// signalStatus is the exit status for being stopped by sig, as a shell
// reports it: 128 + the signal's number.
func signalStatus(sig os.Signal) int32 {
	if sig == syscall.SIGTERM {
		return 143
	}
	return 130
}

// interrupted holds the exit status for the signal received, or 0.
var interrupted atomic.Int32

// stopOutput is where stop explains itself.
var stopOutput io.Writer = os.Stderr

// stop exits with the status for the signal received, if one was.
// Callers hold writing, or have nothing left to write.
func stop() {
	status := interrupted.Load()
	if status == 0 {
		return
	}
	fmt.Fprintf(stopOutput, "\nidsim: %s: stopped; the output already written is whole, nothing else was written\n", map[int32]string{130: "interrupted", 143: "terminated"}[status])
	os.Exit(int(status))
}

// guarded runs a command and returns its exit status, turning a panic
// into exit status 3 with a message that says it is a bug, and the stack.
func guarded(stderr io.Writer, command func() int) (status int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "idsim: internal error: %v\n\nThis is a bug in idsim, not a problem with your input. Please report it with the command line and this stack:\n\n%s", v, debug.Stack())
			status = exitBug
		}
	}()
	return command()
}
