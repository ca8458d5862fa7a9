package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

func cmdMinimize(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("minimize", "minimize SCENARIO [--seed N] [--out FILE]",
		`Shrinks a failing scenario to a smaller one that still fails the same way:
with the seed fixed, it keeps only the failing scheme and expectation,
removes faults one at a time while the failure persists, halves the
workers and the duration while it persists, and writes the result as a
scenario file (default: <scenario>.min.yaml) whose comments say what was
removed. Run it with 'idsim run FILE'.

Exit status: 0 written, 2 bad input or a scenario that passes.`, stderr)
	seed := fs.String("seed", "", "the failing seed (default: the scenario's)")
	out := fs.String("out", "", "file to write (default: <scenario>.min.yaml)")
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) != 1 {
		fmt.Fprintln(stderr, "idsim minimize: name one failing scenario, e.g. idsim minimize my.yaml --seed 7")
		return exitUsage
	}
	sc, err := scenarios.Load(names[0])
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitUsage
	}
	var src []byte
	if name, ok := strings.CutPrefix(sc.File, "embedded:"); ok {
		src, _ = scenarios.ShippedSource(strings.TrimSuffix(name, ".yaml"))
	} else if src, err = scenarios.ReadFile(sc.File, scenarios.MaxFileSize); err != nil {
		fmt.Fprintf(stderr, "idsim minimize: %v\n", err)
		return exitUsage
	}
	var n uint64
	if *seed != "" {
		if n, err = strconv.ParseUint(*seed, 10, 64); err != nil {
			fmt.Fprintf(stderr, "idsim minimize: --seed %q is not a whole number\n", *seed)
			return exitUsage
		}
	}
	path := *out
	if path == "" {
		path = sc.Name + ".min.yaml"
	}
	if err := checkOutFile(path); err != nil {
		fmt.Fprintf(stderr, "idsim minimize: %v\n", err)
		return exitUsage
	}
	m, err := scenarios.Minimize(sc.File, src, n, *seed != "")
	if err != nil {
		fmt.Fprintf(stderr, "idsim minimize: %v\n", err)
		return exitUsage
	}
	if err := commit(func() error { return reports.WriteFile(path, m.Source) }); err != nil {
		fmt.Fprintf(stderr, "idsim minimize: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s → %s in %d runs; wrote %s (run it with: idsim run %s)\n", m.Before, m.After, m.Runs, path, path)
	for _, s := range m.Steps {
		fmt.Fprintf(stdout, "  %s\n", s)
	}
	return exitOK
}
