package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim/audit"
)

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "check FILE [--layout NAME] [--column N] [--ordered] [--workers LIST] ...",
		`Audits IDs a real system produced: one per line, as a decimal or 0x
number, a UUID or a ULID, or in a column of a CSV file (--column, with
--header to skip its first line). FILE - reads standard input.

It reports duplicates with the line numbers of both copies; with --layout,
each Snowflake ID's worker and time: IDs from the future (after --now, by
default the time of the check, plus --ahead) or before the epoch, worker
IDs outside --workers, and how close each worker came to its sequence
ceiling. With --ordered (the file is a log, each worker's IDs in the order
they were issued), per-worker order violations and clock regressions — how
far back each worker's clock went, and how often.

It streams: memory stays bounded (IDs are sorted in chunks and spilled to
temporary files in --tmp for the duplicate check) however long the file.
Malformed lines are reported with their line numbers and skipped, unless
--strict. ID text follows the rules of audit.ParseID (26 characters are
a ULID, 32 hex digits a UUID, decimals are never octal).

Exit status: 0 nothing found, 1 problems found, 2 bad input or usage,
130 or 143 interrupted by SIGINT or SIGTERM (temporary files removed).

Try:
  idsim check ids.txt --layout twitter --ordered --workers 0-31`, stderr)
	layout := fs.String("layout", "", "decode numeric IDs as Snowflake IDs of this layout: "+strings.Join(snowflake.PresetNames(), ", "))
	column := fs.Int("column", 0, "take the N-th comma-separated field of each line (1-based)")
	header := fs.Bool("header", false, "skip the first line")
	ordered := fs.Bool("ordered", false, "each worker's IDs are in the order issued: check order and clock regressions")
	workers := fs.String("workers", "", "expected node IDs, e.g. 0-31,40 (datacenter and worker fields together)")
	nowFlag := fs.String("now", "", "IDs after this RFC 3339 time are from the future (default: now)")
	ahead := fs.Duration("ahead", time.Minute, "clock skew allowed before an ID counts as from the future")
	strict := fs.Bool("strict", false, "stop at the first malformed line (exit 2)")
	examples := fs.Int("examples", 20, "findings listed per kind (0: none)")
	tmp := fs.String("tmp", "", "directory for the sorted runs of the duplicate check (default: the system's)")
	chunk := fs.Int("chunk", 16<<20, "IDs the duplicate check holds in memory, 16 bytes each (24 for UUIDs and ULIDs), before spilling to --tmp")
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) != 1 {
		fmt.Fprintln(stderr, "idsim check: name one file of IDs (or - for standard input), e.g. idsim check ids.txt --layout twitter")
		return exitUsage
	}
	opt := audit.Options{Column: *column, Header: *header, Ordered: *ordered, Strict: *strict, Ahead: *ahead, Examples: *examples, TempDir: *tmp, ChunkIDs: *chunk}
	if *examples < 0 {
		fmt.Fprintf(stderr, "idsim check: --examples %d: want 0 or more\n", *examples)
		return exitUsage
	}
	if *examples == 0 {
		opt.Examples = -1 // none
	}
	if *chunk < 1 {
		fmt.Fprintf(stderr, "idsim check: --chunk %d: want 1 or more\n", *chunk)
		return exitUsage
	}
	if *layout != "" {
		l, ok := snowflake.Preset(*layout)
		if !ok {
			fmt.Fprintf(stderr, "idsim check: unknown layout %q (one of: %s)\n", *layout, strings.Join(snowflake.PresetNames(), ", "))
			return exitUsage
		}
		opt.Layout = &l
	}
	if *column < 0 {
		fmt.Fprintln(stderr, "idsim check: --column must be 1 or more")
		return exitUsage
	}
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339Nano, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "idsim check: --now %q: want an RFC 3339 time such as 2026-01-01T00:00:00Z\n", *nowFlag)
			return exitUsage
		}
		opt.Now = t
	} else {
		opt.Now = time.Now() // auditing real IDs: the real present
	}
	if *workers != "" {
		set, err := audit.ParseNodes(*workers, opt.Layout)
		if err != nil {
			fmt.Fprintf(stderr, "idsim check: --workers %q: %v\n", *workers, err)
			return exitUsage
		}
		if opt.Layout == nil {
			fmt.Fprintln(stderr, "idsim check: --workers needs --layout, which says where the node ID is in an ID")
			return exitUsage
		}
		opt.Workers = set
	}
	if err := audit.CheckTempDir(*tmp); err != nil {
		fmt.Fprintf(stderr, "idsim check: --tmp %q: %v\n", *tmp, err)
		return exitUsage
	}
	var in io.Reader = os.Stdin
	if names[0] != "-" {
		f, err := os.Open(names[0])
		if err != nil {
			fmt.Fprintf(stderr, "idsim check: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	if isTerminal(stderr) {
		started := time.Now()
		opt.Progress = func(lines int64) {
			fmt.Fprintf(stderr, "\r%d lines, %.0f lines/s", lines, float64(lines)/time.Since(started).Seconds())
		}
	}
	ctx, interrupted, stop := onSignal()
	defer stop()
	rep, err := audit.RunContext(ctx, in, opt)
	if opt.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if code := interrupted(); code != 0 {
		// RunContext has closed and removed its spill files.
		fmt.Fprintf(stderr, "idsim check: interrupted; temporary files removed\n")
		return code
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s:%v\n", names[0], err)
		return exitUsage
	}
	rep.Format(stdout, opt.Layout)
	if !rep.Clean() {
		return exitFailed
	}
	return exitOK
}

// onSignal returns a context cancelled by the first SIGINT or SIGTERM,
// a function giving the exit status for that signal (130 or 143; 0 if
// none came), and one to stop listening. The audit notices the
// cancellation within a few thousand lines; should it be stuck reading a
// silent pipe, the process exits by itself after a grace period (its
// spill files are unlinked as they are made, so none is left).
func onSignal() (context.Context, func() int, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	var code atomic.Int32
	quit := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			status := 130
			if sig == syscall.SIGTERM {
				status = 143
			}
			code.Store(int32(status))
			cancel()
			select {
			case <-time.After(3 * time.Second):
				fmt.Fprintln(os.Stderr, "idsim check: interrupted while waiting for input")
				os.Exit(status)
			case <-quit:
			}
		case <-quit:
		}
	}()
	return ctx, func() int { return int(code.Load()) }, func() {
		signal.Stop(ch)
		close(quit)
		cancel()
	}
}

// isTerminal reports whether w is a character device (a terminal), where
// progress is worth showing.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
