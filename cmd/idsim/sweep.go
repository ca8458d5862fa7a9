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
	sc, err := scenarios.Load(names[0])
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitUsage
	}
	var progress func(done, total int)
	if !*quiet && isTerminal(stderr) {
		progress = func(done, total int) { fmt.Fprintf(stderr, "\r%s: %s", sc.Name, bar(done, total)) }
	}
	sw, err := scenarios.RunSweep(sc, *first, *seeds, shard, scenarios.Options{}, progress)
	if progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "idsim sweep: %v\n", err)
		return exitUsage
	}
	base := "sweep"
	if shard.N > 0 {
		base = fmt.Sprintf("sweep-shard-%d-of-%d", shard.K, shard.N)
	}
	return writeSweep(sw, filepath.Join(*out, sc.Name), base, stdout, stderr)
}

// bar draws a progress bar.
func bar(done, total int) string {
	const width = 30
	n := done * width / max(total, 1)
	return fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
}

func writeSweep(sw *scenarios.Sweep, dir, base string, stdout, stderr io.Writer) int {
	js, err := sw.JSON()
	if err != nil {
		fmt.Fprintf(stderr, "idsim: %v\n", err)
		return exitUsage
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "idsim: %v\n", err)
		return exitUsage
	}
	for name, b := range map[string][]byte{base + ".json": js, base + ".md": sw.Markdown()} {
		if err := writeAtomic(filepath.Join(dir, name), b); err != nil {
			fmt.Fprintf(stderr, "idsim: %v\n", err)
			return exitUsage
		}
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

// writeAtomic writes a file so that readers see the old or the new
// content, never half of it.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

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
		filepath.WalkDir(n, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "sweep-shard-") && strings.HasSuffix(d.Name(), ".json") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "idsim merge: no shard files (sweep-shard-K-of-N.json) given or found")
		return exitUsage
	}
	sort.Strings(files)
	var parts []*scenarios.Sweep
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "idsim merge: %v\n", err)
			return exitUsage
		}
		var sw scenarios.Sweep
		if err := json.Unmarshal(b, &sw); err != nil {
			fmt.Fprintf(stderr, "idsim merge: %s: %v\n", f, err)
			return exitUsage
		}
		parts = append(parts, &sw)
	}
	merged, err := scenarios.MergeSweeps(parts)
	if err != nil {
		fmt.Fprintf(stderr, "idsim %v\n", err)
		return exitUsage
	}
	return writeSweep(merged, filepath.Join(*out, merged.Scenario), "sweep", stdout, stderr)
}
