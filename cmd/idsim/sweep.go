package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/idsim/idsim/scenarios"
)

func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sweep", "sweep SCENARIO --seeds N [--first S] [--shard K/N] [--out DIR]",
		`Runs a scenario once per seed — S, S+1, …, S+N-1 — and reports every seed
whose expectations failed, each with the command that replays it. Writes
DIR/<scenario>/sweep.json and sweep.md.

--shard K/N runs only the K-th of N disjoint parts (seed positions i with
i mod N = K-1) and writes sweep-shard-K-of-N.json instead, so a sweep can
be spread over machines; 'idsim merge' joins the parts into exactly the
sweep.json one machine would write. Two ways to spread one:

  # Kubernetes Indexed Job, completions: 8 (JOB_COMPLETION_INDEX is 0..7)
  idsim sweep ntp-backward --seeds 1000 --shard $((JOB_COMPLETION_INDEX+1))/8 --out /results

  # GitHub Actions: strategy: matrix: shard: [1, 2, 3, 4]
  idsim sweep ntp-backward --seeds 1000 --shard ${{ matrix.shard }}/4 --out out

Exit status: 0 every seed passed, 1 some seed failed, 2 bad input.`, stderr)
	seeds := fs.Int("seeds", 0, "how many seeds to run (required)")
	first := fs.Uint64("first", 1, "the first seed")
	shardFlag := fs.String("shard", "", "run only part K of N, e.g. 3/8")
	out := fs.String("out", "idsim-out", "directory to write results into")
	quiet := fs.Bool("quiet", false, "no progress")
	maxMem := memoryFlag(fs)
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) != 1 || *seeds <= 0 {
		fmt.Fprintln(stderr, "idsim sweep: name one scenario and how many seeds, e.g. idsim sweep ntp-backward --seeds 100")
		return exitUsage
	}
	var shard scenarios.Shard
	if *shardFlag != "" {
		if shard, err = scenarios.ParseShard(*shardFlag); err != nil {
			fmt.Fprintf(stderr, "idsim sweep: %v\n", err)
			return exitUsage
		}
	}
	if err := scenarios.CheckSeeds(*first, *seeds); err != nil {
		fmt.Fprintf(stderr, "idsim sweep: %v\n", err)
		return exitUsage
	}
	var opt scenarios.Options
	if opt.MaxMemory, err = maxMem(); err != nil {
		fmt.Fprintf(stderr, "idsim sweep: %v\n", err)
		return exitUsage
	}
	sc, err := scenarios.Load(names[0])
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitUsage
	}
	base := "sweep"
	if shard.N > 0 {
		base = fmt.Sprintf("sweep-shard-%d-of-%d", shard.K, shard.N)
	}
	if err := checkSweepOut(*out, sc.Name, base); err != nil {
		fmt.Fprintf(stderr, "idsim sweep: %v\n", err)
		return exitUsage
	}
	var progress func(done, total int)
	if !*quiet && isTerminal(stderr) {
		progress = func(done, total int) { fmt.Fprintf(stderr, "\r%s: %s", sc.Name, bar(done, total)) }
	}
	sw, err := scenarios.RunSweep(sc, *first, *seeds, shard, opt, progress)
	if progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "idsim sweep: %v\n", err)
		return exitUsage
	}
	return writeSweep(sw, *out, base, stdout, stderr)
}

// bar draws a progress bar.
func bar(done, total int) string {
	const width = 30
	n := done * width / max(total, 1)
	return fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
}

// checkSweepOut checks, before any work, that a sweep's files can be
// written as out/<scenario>/<base>.json and .md.
func checkSweepOut(out, scenario, base string) error {
	if err := scenarios.ValidName("scenario name", scenario); err != nil {
		return err
	}
	if err := checkOut(out, scenario); err != nil {
		return err
	}
	for _, ext := range []string{".json", ".md"} {
		p := filepath.Join(out, scenario, base+ext)
		if st, err := os.Lstat(p); err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file; idsim does not replace it", p)
		}
	}
	return nil
}

// writeSweep writes out/<scenario>/<base>.json and .md and prints the
// outcome; it returns the exit status.
func writeSweep(sw *scenarios.Sweep, out, base string, stdout, stderr io.Writer) int {
	if err := checkSweepOut(out, sw.Scenario, base); err != nil {
		fmt.Fprintf(stderr, "idsim: %v\n", err)
		return exitUsage
	}
	dir := filepath.Join(out, sw.Scenario)
	js, err := sw.JSON()
	if err != nil {
		fmt.Fprintf(stderr, "idsim: %v\n", err)
		return exitUsage
	}
	if err := writeFiles(dir, map[string][]byte{base + ".json": js, base + ".md": sw.Markdown()}); err != nil {
		fmt.Fprintf(stderr, "idsim: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s: %d seeds (shard %s), %d failing; results: %s\n", sw.Scenario, len(sw.Results), sw.Shard, len(sw.Failing), filepath.Join(dir, base+".md"))
	for _, r := range sw.Results {
		if !r.Passed {
			fmt.Fprintf(stdout, "  seed %d failed: %s\n", r.Seed, r.Replay)
		}
	}
	if !sw.Passed {
		return exitFailed
	}
	return exitOK
}

// maxShardSize is the largest shard file merge reads: a shard holds a
// few hundred bytes per seed.
const maxShardSize = 256 << 20

func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("merge", "merge SHARD_FILE_OR_DIR... [--out DIR]",
		`Joins the shards of a sweep (sweep-shard-K-of-N.json files, or directories
holding them) into the sweep.json and sweep.md a single 'idsim sweep' run
would have written. Fails if shards are missing, repeated or of different
sweeps.`, stderr)
	out := fs.String("out", "idsim-out", "directory to write the merged sweep into")
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) == 0 {
		fmt.Fprintln(stderr, "idsim merge: name shard files or directories holding them, e.g. idsim merge shards/")
		return exitUsage
	}
	if err := checkOut(*out); err != nil {
		fmt.Fprintf(stderr, "idsim merge: %v\n", err)
		return exitUsage
	}
	var files []string
	for _, n := range names {
		st, err := os.Stat(n)
		if err != nil {
			fmt.Fprintf(stderr, "idsim merge: %v\n", err)
			return exitUsage
		}
		if !st.IsDir() {
			files = append(files, n)
			continue
		}
		err = filepath.WalkDir(n, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasPrefix(d.Name(), "sweep-shard-") && strings.HasSuffix(d.Name(), ".json") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(stderr, "idsim merge: %v\n", err)
			return exitUsage
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "idsim merge: no shard files (sweep-shard-K-of-N.json) given or found")
		return exitUsage
	}
	sort.Strings(files)
	var parts []*scenarios.Sweep
	for _, f := range files {
		sw, err := readShard(f)
		if err != nil {
			fmt.Fprintf(stderr, "idsim merge: %v\n", err)
			return exitUsage
		}
		parts = append(parts, sw)
	}
	merged, err := scenarios.MergeFiles(files, parts)
	if err != nil {
		fmt.Fprintf(stderr, "idsim %v\n", err)
		return exitUsage
	}
	return writeSweep(merged, *out, "sweep", stdout, stderr)
}

// readShard reads a shard file: a regular file of at most maxShardSize
// bytes holding one JSON object, whose name, if it is named as sweep
// writes shards, agrees with the shard it holds.
func readShard(f string) (*scenarios.Sweep, error) {
	st, err := os.Stat(f)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", f)
	}
	b, err := scenarios.ReadFile(f, maxShardSize)
	if err != nil {
		return nil, err
	}
	var sw scenarios.Sweep
	if err := json.Unmarshal(b, &sw); err != nil {
		return nil, fmt.Errorf("%s: not a sweep shard: %v", f, err)
	}
	var k, n int
	if _, err := fmt.Sscanf(filepath.Base(f), "sweep-shard-%d-of-%d.json", &k, &n); err == nil {
		if want := fmt.Sprintf("%d/%d", k, n); sw.Shard != want {
			return nil, fmt.Errorf("%s: holds shard %q, but its name says %s", f, sw.Shard, want)
		}
	}
	return &sw, nil
}
