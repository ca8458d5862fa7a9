package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

func cmdReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("report", "report RESULT_DIR... [--out DIR]",
		`Puts the results of several runs side by side: each RESULT_DIR is a
directory 'idsim run' wrote (holding results.json), or a directory of them.
Writes DIR/comparison.md, comparison.html and comparison.png: one row per
scenario and scheme, and a chart of every run's duplicates.`, stderr)
	out := fs.String("out", "idsim-out", "directory to write the comparison into")
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) == 0 {
		fmt.Fprintln(stderr, "idsim report: name result directories, e.g. idsim report idsim-out/ntp-backward idsim-out/zombie-lease")
		return exitUsage
	}
	if err := checkOut(*out); err != nil {
		fmt.Fprintf(stderr, "idsim report: %v\n", err)
		return exitUsage
	}
	var c reports.Comparison
	for _, n := range names {
		var files []string
		if _, err := os.Stat(filepath.Join(n, reports.ResultsFile)); err == nil {
			files = []string{filepath.Join(n, reports.ResultsFile)}
		} else {
			files, _ = filepath.Glob(filepath.Join(n, "*", reports.ResultsFile))
		}
		if len(files) == 0 {
			fmt.Fprintf(stderr, "idsim report: %s holds no %s (run 'idsim run' first)\n", n, reports.ResultsFile)
			return exitUsage
		}
		for _, f := range files {
			r, err := readResults(f)
			if err != nil {
				fmt.Fprintf(stderr, "idsim report: %v\n", err)
				return exitUsage
			}
			c.Results = append(c.Results, r)
		}
	}
	chart, err := c.Chart()
	if err != nil {
		fmt.Fprintf(stderr, "idsim report: %v\n", err)
		return exitUsage
	}
	page, err := c.HTML(chart)
	if err != nil {
		fmt.Fprintf(stderr, "idsim report: %v\n", err)
		return exitUsage
	}
	files := map[string][]byte{"comparison.md": c.Markdown("comparison.png"), "comparison.html": page, "comparison.png": chart.PNG}
	if err := writeFiles(*out, files); err != nil {
		fmt.Fprintf(stderr, "idsim report: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%d runs compared; report: %s\n", len(c.Results), filepath.Join(*out, "comparison.md"))
	return exitOK
}

// maxResultsSize is the largest results.json report reads. Every
// duplicate is listed in it, so it can be large, but not without bound.
const maxResultsSize = 1 << 30

// readResults reads a results.json that idsim run wrote, and refuses one
// that is not: unparsable, or without a scenario or runs.
func readResults(f string) (*reports.Results, error) {
	if st, err := os.Stat(f); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", f)
	}
	b, err := scenarios.ReadFile(f, maxResultsSize)
	if err != nil {
		return nil, err
	}
	return parseResults(f, b)
}

// parseResults parses the results.json read from the file f.
func parseResults(f string, b []byte) (*reports.Results, error) {
	var r reports.Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: not a results.json idsim wrote: %v", f, err)
	}
	if err := scenarios.ValidName("scenario name", r.Scenario); err != nil {
		return nil, fmt.Errorf("%s: not a results.json idsim wrote: %v", f, err)
	}
	if len(r.Runs) == 0 {
		return nil, fmt.Errorf("%s: not a results.json idsim wrote: no runs (it has one per scheme)", f)
	}
	for i, run := range r.Runs {
		if err := scenarios.ValidName("scheme label", run.Scheme); err != nil {
			return nil, fmt.Errorf("%s: runs[%d]: %v", f, i, err)
		}
	}
	return &r, nil
}
