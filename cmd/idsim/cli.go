package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // an expectation was violated
	exitUsage  = 2 // bad input or usage
)

const usage = `idsim simulates distributed ID generators under faults and reports what broke.

Usage:
  idsim run FILE_OR_NAME... [--seed N] [--out DIR]
                          run scenario files or shipped scenarios; writes
                          DIR/<scenario>/results.json, report.md, duplicates.csv
  idsim live FILE_OR_NAME [--etcd-endpoints URL,...]
                          run a scenario's Snowflake workers for real:
                          goroutines, the machine's clock, worker IDs from
                          etcd (in-process unless endpoints are given)
  idsim check FILE [--layout NAME] [--ordered]
                          audit IDs a real system produced: duplicates,
                          order, clock regressions, workers, ceilings
  idsim sweep SCENARIO --seeds N [--shard K/N]
                          run a scenario over many seeds; report failing ones
  idsim merge DIR...      join the shards of a sweep
  idsim report DIR...     put the results of several runs side by side
  idsim minimize SCENARIO [--seed N] [--out FILE]
                          shrink a failing scenario to a minimal one
  idsim list [scenarios|schemes|faults|layouts]
                          what ships with idsim
  idsim layout NAME       a Snowflake layout's bits, ceilings and horizon
  idsim decode ID... [--layout NAME]
                          split IDs (Snowflake, UUID, ULID) into their fields
  idsim vtime overlay DIR write a go build -overlay of package time that lets
                          gentest run unmodified Go libraries in virtual time
  idsim help [COMMAND]    this text, or a command's flags

Try:
  idsim run ntp-backward
  idsim layout twitter

Exit status: 0 every expectation held, 1 an expectation was violated,
2 bad input or usage, 3 idsim itself failed (a bug: please report it),
130 or 143 stopped by SIGINT or SIGTERM (earlier output left intact).
`

// cli runs idsim with args and returns the exit status.
func cli(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(rest, stdout, stderr)
	case "live":
		return cmdLive(rest, stdout, stderr)
	case "check":
		return cmdCheck(rest, stdout, stderr)
	case "sweep":
		return cmdSweep(rest, stdout, stderr)
	case "report":
		return cmdReport(rest, stdout, stderr)
	case "merge":
		return cmdMerge(rest, stdout, stderr)
	case "minimize", "minimise":
		return cmdMinimize(rest, stdout, stderr)
	case "list":
		return cmdList(rest, stdout, stderr)
	case "layout":
		return cmdLayout(rest, stdout, stderr)
	case "decode":
		return cmdDecode(rest, stdout, stderr)
	case "vtime":
		return cmdVtime(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] != "help" {
			return cli([]string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "idsim: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// parse parses flags wherever they appear among the arguments and returns
// the positional ones. It reports usage errors on stderr.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlags(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("idsim "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: idsim %s\n\n%s\n", synopsis, about)
		if hasFlags(fs) {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// flagStatus maps a flag parsing error to an exit status: --help is not
// an error.
func flagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "run FILE_OR_NAME... [--seed N] [--out DIR] [--parallel N] [--quiet]",
		`Runs each scenario: every scheme in it on the same workers, load and fault
schedule. A scenario is a YAML file, a directory of them, the name of a
shipped one (see 'idsim list scenarios'), or 'regressions' for the whole
library of reproduced real-world bugs. For each it writes DIR/<scenario>/results.json,
report.md and duplicates.csv, prints a summary, and says where the report is.

All scenarios are checked before any runs: a bad file is reported as
file:line:column with the offending line, nothing is written, and the exit
status is 2. The exit status is 1 when an expectation was violated.`, stderr)
	seed := fs.String("seed", "", "run with this seed instead of the scenario's (a whole number)")
	out := fs.String("out", "idsim-out", "directory to write results into")
	par := fs.Int("parallel", 0, "goroutines for the simulator (0: one per CPU); results do not depend on it")
	quiet := fs.Bool("quiet", false, "print only where the reports are and failures")
	maxMem := memoryFlag(fs)
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) == 0 {
		fmt.Fprintf(stderr, "idsim run: name at least one scenario file or shipped scenario, e.g. idsim run ntp-backward\nshipped: %s\n", strings.Join(shippedNames(), ", "))
		return exitUsage
	}
	opt := scenarios.Options{Parallelism: *par}
	if opt.MaxMemory, err = maxMem(); err != nil {
		fmt.Fprintf(stderr, "idsim run: %v\n", err)
		return exitUsage
	}
	if *seed != "" {
		n, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "idsim run: --seed %q is not a whole number\n", *seed)
			return exitUsage
		}
		opt.Seed, opt.SeedSet = n, true
	}
	if *par < 0 {
		fmt.Fprintln(stderr, "idsim run: --parallel must not be negative")
		return exitUsage
	}
	// Check every scenario before running any.
	var scs []*scenarios.Scenario
	bad := false
	seen := map[string]string{}
	for _, name := range names {
		loaded, err := scenarios.LoadAll(name)
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			bad = true
			continue
		}
		for _, sc := range loaded {
			if prev, dup := seen[sc.Name]; dup {
				fmt.Fprintf(stderr, "idsim run: %s and %s are both named %q; their results would overwrite each other\n", prev, sc.File, sc.Name)
				bad = true
				continue
			}
			seen[sc.Name] = sc.File
			scs = append(scs, sc)
		}
	}
	if bad {
		return exitUsage
	}
	var outNames []string
	for _, sc := range scs {
		outNames = append(outNames, sc.Name)
	}
	if err := checkOut(*out, outNames...); err != nil {
		fmt.Fprintf(stderr, "idsim run: %v\n", err)
		return exitUsage
	}
	status := exitOK
	for _, sc := range scs {
		if !*quiet && isTerminal(stderr) {
			// A bar on a terminal; nothing in logs and pipes.
			opt.Progress = func(scheme string, i, n int) {
				fmt.Fprintf(stderr, "\r\033[K%s: %s %s", sc.Name, bar(i, n), scheme)
			}
		}
		started := time.Now()
		res, err := scenarios.Run(sc, opt)
		if opt.Progress != nil {
			fmt.Fprint(stderr, "\r\033[K")
		}
		if err != nil {
			fmt.Fprintf(stderr, "idsim run: %v\n", err)
			return exitUsage
		}
		dir, err := writeResults(*out, res)
		if err != nil {
			fmt.Fprintf(stderr, "idsim run: writing results: %v\n", err)
			return exitUsage
		}
		if !*quiet {
			summary(stdout, res, time.Since(started))
		}
		if !verdict(stdout, sc, res, dir) {
			status = exitFailed
		}
	}
	return status
}

// memoryFlag adds --max-memory to fs; the returned function reads it:
// the bytes a run may need, or 0 for the default budget.
func memoryFlag(fs *flag.FlagSet) func() (float64, error) {
	v := fs.String("max-memory", "", "the memory a run may need, e.g. 8G or 512MiB (default: IDSIM_MAX_MEMORY, else 80% of available memory); a scenario needing more is refused before it runs")
	return func() (float64, error) {
		if *v == "" {
			return 0, nil
		}
		b, err := scenarios.ParseBytes(*v)
		if err != nil {
			return 0, fmt.Errorf("--max-memory: %v", err)
		}
		return b, nil
	}
}

// verdict prints whether a run passed, where its report is, and what
// failed; it reports whether the run passed.
func verdict(w io.Writer, sc *scenarios.Scenario, res *reports.Results, dir string) bool {
	v, name := "passed", sc.Name
	if !res.Passed {
		v = "FAILED"
	}
	if res.Live {
		name += " (live)"
	}
	fmt.Fprintf(w, "%s %s; report: %s\n", name, v, dir+string(os.PathSeparator)+reports.ReportFile)
	for _, run := range res.Runs {
		for _, n := range run.Notes {
			fmt.Fprintf(w, "  note: %s: %s\n", run.Scheme, n)
		}
	}
	if !res.Passed {
		for _, run := range res.Runs {
			for _, e := range run.Expectations {
				if !e.Passed {
					fmt.Fprintf(w, "  %s: expected %s %s, got %s (%s line %d)\n", run.Scheme, e.Key, e.Want, e.Got, sc.File, e.Line)
				}
			}
		}
		fmt.Fprintf(w, "  replay: %s\n", res.Replay)
	}
	return res.Passed
}

// summary prints a table with a row per scheme.
func summary(w io.Writer, r *reports.Results, took time.Duration) {
	var total int64
	for _, run := range r.Runs {
		total += run.Generated
	}
	how := "simulated"
	if r.Live {
		how = "issued live"
	}
	fmt.Fprintf(w, "\n%s (seed %d): %d workers, %s per worker, %s; %d IDs %s in %v\n",
		r.Scenario, r.Seed, r.Workers, r.Load.PerWorker, r.Duration, total, how, took.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scheme\tgenerated\terrors\tduplicates\tout of order\tdelayed\tlongest delay\tpeak IDs/s/worker\texpectations\t")
	for _, run := range r.Runs {
		verdict := run.Verdict()
		if verdict == "failed" {
			verdict = "FAILED"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%v\t%.0f\t%s\t\n", run.Scheme, run.Generated, run.Errors, run.Duplicates,
			run.MonotonicViolations, run.DelayedCalls, time.Duration(run.LatencyMaxNs).Round(time.Microsecond), run.PeakWorkerRate, verdict)
	}
	tw.Flush()
}

func shippedNames() []string {
	var names []string
	for _, i := range scenarios.Shipped() {
		names = append(names, i.Name)
	}
	return names
}

func cmdList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("list", "list [scenarios|schemes|faults|layouts]", "Lists what ships with idsim; with no argument, everything.", stderr)
	what, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	sections := map[string]func(io.Writer){
		"scenarios": listScenarios, "schemes": listSchemes, "faults": listFaults, "layouts": listLayouts,
	}
	order := []string{"scenarios", "schemes", "faults", "layouts"}
	if len(what) == 0 {
		what = order
	}
	for _, w := range what {
		if sections[w] == nil {
			fmt.Fprintf(stderr, "idsim list: unknown section %q (want one of: %s)\n", w, strings.Join(order, ", "))
			return exitUsage
		}
	}
	for i, w := range what {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		sections[w](stdout)
	}
	return exitOK
}

func listScenarios(w io.Writer) {
	fmt.Fprintln(w, "Shipped scenarios (idsim run NAME):")
	for _, i := range scenarios.Shipped() {
		fmt.Fprintf(w, "  %-22s %s\n", i.Name, wrap(i.Description, 55, 25))
	}
}

func listSchemes(w io.Writer) {
	fmt.Fprintln(w, "Schemes (kind: in a scenario's schemes):")
	for _, k := range scenarios.SchemeKinds() {
		fmt.Fprintf(w, "  %-22s %s\n  %-22s keys: %s\n", k.Kind, wrap(k.Summary, 55, 25), "", k.Keys)
	}
}

func listFaults(w io.Writer) {
	fmt.Fprintln(w, "Faults (kind: in a scenario's faults):")
	for _, k := range faults.Kinds() {
		fmt.Fprintf(w, "  %-22s %s\n  %-22s keys: %s\n", k.Kind, wrap(k.Summary, 55, 25), "", k.Params)
	}
}

func listLayouts(w io.Writer) {
	fmt.Fprintln(w, "Snowflake layouts (idsim layout NAME):")
	for _, l := range snowflake.Presets() {
		fmt.Fprintf(w, "  %-10s %2d/%d/%d/%d bits of time/%s/%s/%s, %v ticks, horizon %s\n", l.Name,
			l.Time.Bits, l.Datacenter.Bits, l.Worker.Bits, l.Sequence.Bits, l.DatacenterName(), l.WorkerName(), l.SequenceName(),
			l.Unit, l.Horizon().Format("2006-01-02"))
	}
}

// wrap folds text to width columns, indenting continuation lines.
func wrap(text string, width, indent int) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(text) {
		if col > 0 && col+1+len(word) > width {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = 0
		} else if col > 0 {
			b.WriteString(" ")
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

func cmdLayout(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("layout", "layout NAME...", "Shows a Snowflake layout: where each field sits, how many IDs per second it allows\nper worker and per cluster, and when its timestamp runs out.\nLayouts: "+strings.Join(snowflake.PresetNames(), ", "), stderr)
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) == 0 {
		fmt.Fprintf(stderr, "idsim layout: name a layout (one of: %s)\n", strings.Join(snowflake.PresetNames(), ", "))
		return exitUsage
	}
	for i, name := range names {
		l, ok := snowflake.Preset(name)
		if !ok {
			fmt.Fprintf(stderr, "idsim layout: unknown layout %q (one of: %s)\n", name, strings.Join(snowflake.PresetNames(), ", "))
			return exitUsage
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		describeLayout(stdout, l)
	}
	return exitOK
}

func describeLayout(w io.Writer, l snowflake.Layout) {
	fmt.Fprintf(w, "layout %s (%d bits", l.Name, l.TotalBits())
	if l.Unsigned {
		fmt.Fprint(w, ", unsigned")
	}
	fmt.Fprintln(w, ")")
	type row struct {
		name string
		f    snowflake.Field
		note string
	}
	rows := []row{
		{"time", l.Time, fmt.Sprintf("%v ticks since %s", l.Unit, l.Epoch.UTC().Format(time.RFC3339Nano))},
		{l.DatacenterName(), l.Datacenter, fmt.Sprintf("values 0..%d", l.Datacenter.Max())},
		{l.WorkerName(), l.Worker, fmt.Sprintf("values 0..%d", l.Worker.Max())},
		{l.SequenceName(), l.Sequence, fmt.Sprintf("%d IDs per tick", l.PerTick())},
	}
	// Most significant field first.
	for i := 0; i < len(rows); i++ {
		for j := i + 1; j < len(rows); j++ {
			if rows[j].f.Shift > rows[i].f.Shift {
				rows[i], rows[j] = rows[j], rows[i]
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		if r.f.Bits == 0 {
			continue
		}
		fmt.Fprintf(tw, "  bits %d..%d\t%s\t%d bits\t%s\n", int(r.f.Shift)+int(r.f.Bits)-1, r.f.Shift, r.name, r.f.Bits, r.note)
	}
	tw.Flush()
	fields := l.WorkerName()
	if l.Datacenter.Bits > 0 {
		fields = l.DatacenterName() + " and " + fields
	}
	fmt.Fprintf(w, "  nodes             %s (%d %s bits)\n", reports.Thousands(int64(1)<<l.NodeBits()), l.NodeBits(), fields)
	fmt.Fprintf(w, "  ceiling           %s IDs/s per worker, %s IDs/s per cluster\n", groupF(l.CeilingPerWorker()), groupF(l.CeilingPerCluster()))
	span := l.Horizon().Sub(l.Epoch)
	years := float64(span/time.Hour) / (24 * 365.2425)
	if span == time.Duration(1<<63-1) {
		years = -1
	}
	fmt.Fprintf(w, "  horizon           %s", l.Horizon().Format(time.RFC3339Nano))
	if years > 0 {
		fmt.Fprintf(w, " (%.1f years after the epoch)", years)
	}
	fmt.Fprintln(w)
	if t, ok := l.SignBitFrom(); ok {
		fmt.Fprintf(w, "  sign bit          set from %s: IDs no longer fit a signed 64-bit integer\n", t.Format(time.RFC3339Nano))
	}
}

func groupF(f float64) string {
	if f == float64(int64(f)) {
		return reports.Thousands(int64(f))
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}
