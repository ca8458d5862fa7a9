package reports

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Markdown returns report.md: what was run, a table per scenario with a
// row per scheme, whether each expectation held, and every finding
// explained.
func Markdown(r *Results) ([]byte, error) {
	var b bytes.Buffer
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "# %s — %s\n\n", r.Scenario, verdict)
	if r.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Description)
	}
	workers := fmt.Sprintf("%d", r.Workers)
	if len(r.Datacenters) > 0 {
		workers += fmt.Sprintf(" in %d datacenters (%s)", len(r.Datacenters), strings.Join(r.Datacenters, ", "))
	}
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| scenario | `%s` |\n", r.File)
	fmt.Fprintf(&b, "| seed | %d — replay with `%s` |\n", r.Seed, r.Replay)
	fmt.Fprintf(&b, "| workers | %s |\n", workers)
	fmt.Fprintf(&b, "| load | %s per worker, %s |\n", r.Load.PerWorker, r.Load.Pattern)
	fmt.Fprintf(&b, "| duration | %s of virtual time; clocks start at %s |\n\n", r.Duration, r.Start)

	b.WriteString("## Faults\n\n")
	if len(r.Faults) == 0 {
		b.WriteString("None.\n\n")
	} else {
		b.WriteString("| fault | what | acting (true time) |\n|---|---|---|\n")
		for _, f := range r.Faults {
			var spans []string
			for _, s := range f.Active {
				if s.FromNs == s.ToNs {
					spans = append(spans, "at "+s.From)
				} else {
					spans = append(spans, s.From+" – "+s.To)
				}
			}
			fmt.Fprintf(&b, "| %s (line %d) | %s | %s |\n", f.ID, f.Line, f.Description, strings.Join(spans, ", "))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Results\n\n")
	b.WriteString("| scheme | settings | generated | errors | duplicates | monotonic violations | delayed calls | longest delay | peak IDs/s per worker | ceiling per worker | expectations |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, run := range r.Runs {
		verdict := run.Verdict()
		if verdict == "failed" {
			verdict = "**FAILED**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			run.Scheme, run.Config, num(run.Generated), num(run.Errors), strong(run.Duplicates), violations(run),
			num(run.DelayedCalls), dur(run.LatencyMaxNs), num(int64(run.PeakWorkerRate)), ceiling(run.CeilingPerWorker), verdict)
	}
	b.WriteString("\nDuplicates count extra copies of an ID already issued. A call is delayed when it completes after it arrived: it waited for the generator (sequence used up, clock behind) or queued behind a call that did. Peak IDs/s is the most one worker issued in one rate window (" + r.RateWindow + "), scaled to a second.\n\n")

	b.WriteString("### Order and throughput\n\n")
	b.WriteString("| scheme | ID bits | offered IDs/s | generated IDs/s | late IDs | lateness p50 | p99 | max |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, run := range r.Runs {
		late := "0"
		if run.Generated > 0 && run.LateIDs > 0 {
			late = fmt.Sprintf("%s (%.1f%%)", num(run.LateIDs), 100*float64(run.LateIDs)/float64(run.Generated))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", run.Scheme, run.IDBits,
			num(int64(run.OfferedPerSec)), num(int64(run.GeneratedPerSec)), late, dur(run.LatenessP50Ns), dur(run.LatenessP99Ns), dur(run.MaxLatenessNs))
	}
	if len(r.Runs) > 0 {
		fmt.Fprintf(&b, "\nAn ID is late when it sorts below an ID issued in an earlier %s window; its lateness is how long before it that ID was issued, and an index inserts it behind IDs that old.\n\n", dur(r.Runs[0].SortWindowNs))
	}

	lin := false
	for _, run := range r.Runs {
		if run.Linearizable == nil {
			continue
		}
		if !lin {
			b.WriteString("### Linearizability\n\n| scheme | allocations | windows | verdict |\n|---|--:|--:|---|\n")
			lin = true
		}
		verdict := "linearizable (fetch-and-add with gaps)"
		if !*run.Linearizable {
			verdict = "**not linearizable**: " + run.LinearizabilityViolation
			if run.LinearizabilityFile != "" {
				verdict += fmt.Sprintf(" — see [%s](%s)", run.LinearizabilityFile, run.LinearizabilityFile)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", run.Scheme, num(int64(run.LinearizabilityOps)), num(int64(run.LinearizabilityWindows)), verdict)
	}
	if lin {
		b.WriteString("\nEach allocation spans from its request leaving the worker to its reply arriving; porcupine looks for an order of them, consistent with real time, in which each range starts at or above the end of the ranges before it.\n\n")
	}

	b.WriteString("## Expectations\n\n")
	any := false
	for _, run := range r.Runs {
		for _, e := range run.Expectations {
			if !any {
				b.WriteString("| scheme | expectation | want | got | |\n|---|---|---|---|---|\n")
				any = true
			}
			mark := "held"
			if !e.Passed {
				mark = "**violated**"
			}
			fmt.Fprintf(&b, "| %s | %s (line %d) | %s | %s | %s |\n", run.Scheme, e.Key, e.Line, e.Want, e.Got, mark)
		}
	}
	if !any {
		b.WriteString("The scenario sets none.\n")
	}
	b.WriteString("\n## Findings\n")
	for _, run := range r.Runs {
		fmt.Fprintf(&b, "\n### %s\n\n", run.Scheme)
		for _, n := range run.Notes {
			fmt.Fprintf(&b, "**Note:** %s\n\n", n)
		}
		if run.Duplicates == 0 && (run.MonotonicViolations == 0 || !run.Ordered) && run.Errors == 0 {
			b.WriteString("No duplicates, no errors")
			if run.Ordered {
				b.WriteString(", no out-of-order IDs")
			}
			b.WriteString(".\n\n")
		}
		if run.RoundTrips > 0 {
			fmt.Fprintf(&b, "%s round trips to the database (%s refused during an outage); it handed out %s IDs: %s issued, %s lost in crashes (gaps), %s still buffered and %s in flight when the run ended.\n\n",
				num(run.RoundTrips), num(run.Refused), num(run.Allocated), num(run.Generated), num(run.Gaps), num(run.BufferedAtEnd), num(run.InFlightAtEnd))
		}
		if run.RandomBits > 0 {
			fmt.Fprintf(&b, "%d-bit IDs with %d random bits.", run.IDBits, run.RandomBits)
			if run.BirthdayExpected > 0 {
				fmt.Fprintf(&b, " For %s IDs the birthday bound n²/2^(b+1) expects %.3g duplicates; %s were measured.", num(run.Generated), run.BirthdayExpected, num(run.Duplicates))
			}
			b.WriteString("\n\n")
		}
		if run.Duplicates > 0 {
			fmt.Fprintf(&b, "**%s duplicates** in %d group(s); every one is listed in `%s`.\n\n", num(run.Duplicates), len(run.DuplicateGroups), DuplicatesFile)
			for i, g := range run.DuplicateGroups {
				who := fmt.Sprintf("workers %d and %d", g.OriginalWorker, g.CopyWorker)
				if g.OriginalWorker == g.CopyWorker {
					who = fmt.Sprintf("worker %d", g.CopyWorker)
				}
				fmt.Fprintf(&b, "%d. **%s duplicates, %s.** %s\n", i+1, num(g.Count), who, g.Explanation)
				fmt.Fprintf(&b, "   - first: ID %s (%s) — %s\n", g.First.IDText, g.First.Decoded, pair(g.First))
				if g.Count > 1 {
					fmt.Fprintf(&b, "   - last: ID %s (%s) — %s\n", g.Last.IDText, g.Last.Decoded, pair(g.Last))
				}
			}
			b.WriteString("\n")
		}
		switch {
		case run.MonotonicViolations > 0 && !run.Ordered:
			fmt.Fprintf(&b, "%s of %s IDs were not greater than the ID before them from the same worker; %s IDs are not ordered, so this measures how unordered they are rather than a fault.\n\n",
				num(run.MonotonicViolations), num(run.Generated), run.Kind)
		case run.MonotonicViolations > 0:
			fmt.Fprintf(&b, "**%s monotonic violations:**\n\n", num(run.MonotonicViolations))
			const show = 20
			for i, m := range run.MonotonicFindings {
				if i == show {
					where := fmt.Sprintf("every one in `%s`", ResultsFile)
					if run.MonotonicFindingsOmitted > 0 {
						where = fmt.Sprintf("the first %s in `%s`", num(int64(len(run.MonotonicFindings))), ResultsFile)
					}
					fmt.Fprintf(&b, "- … and %s more, %s.\n", num(run.MonotonicViolations-show), where)
					break
				}
				fmt.Fprintf(&b, "- %s\n", m.Explanation)
			}
			b.WriteString("\n")
		}
		if run.Errors > 0 {
			fmt.Fprintf(&b, "**%s failed calls:**\n\n| error | calls | first (worker, true time) | example |\n|---|--:|---|---|\n", num(run.Errors))
			for _, e := range run.ErrorKinds {
				fmt.Fprintf(&b, "| %s | %s | worker %d at %s | %s |\n", e.Kind, num(e.Count), e.FirstWorker, e.FirstAt, e.Example)
			}
			b.WriteString("\n")
		}
		if run.DelayedCalls > 0 {
			fmt.Fprintf(&b, "%s calls were delayed. %s waited for the generator, %s in all, the longest %s; the slowest call took %s from arrival to ID (mean over all calls %s).\n",
				num(run.DelayedCalls), num(run.WaitedCalls), dur(run.WaitTotalNs), dur(run.WaitMaxNs), dur(run.LatencyMaxNs), dur(int64(run.LatencyMeanNs)))
		}
	}
	return b.Bytes(), nil
}

// violations renders the monotonic violations: in bold for a scheme that
// promises order, marked as expected for one that does not.
func violations(r Run) string {
	if !r.Ordered && r.MonotonicViolations > 0 {
		return num(r.MonotonicViolations) + " (unordered)"
	}
	return strong(r.MonotonicViolations)
}

// ceiling renders a layout's ceiling, or a dash for schemes without one.
func ceiling(c float64) string {
	if c == 0 {
		return "—"
	}
	return num(int64(c))
}

func pair(d Duplicate) string {
	return fmt.Sprintf("first issued by worker %d at %s (clock %s), again by worker %d at %s (clock %s)",
		d.Original.Worker, d.Original.At, d.Original.Clock, d.Copy.Worker, d.Copy.At, d.Copy.Clock)
}

// Thousands renders n with commas between groups of three digits.
func Thousands(n int64) string { return num(n) }

// num renders n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// strong renders a count in bold when it is not zero.
func strong(n int64) string {
	if n == 0 {
		return "0"
	}
	return "**" + num(n) + "**"
}

func dur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d == 0:
		return "0"
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}
