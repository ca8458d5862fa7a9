package scenarios

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Shard is the part K of N of a sweep: the seeds whose position i (from
// 0) has i mod N = K-1. The zero value is the whole sweep.
type Shard struct{ K, N int }

// ParseShard parses "K/N", 1 <= K <= N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	a, err1 := strconv.Atoi(k)
	b, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || b < 1 || a < 1 || a > b {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 <= K <= N, e.g. 3/8", s)
	}
	return Shard{a, b}, nil
}

// String renders "K/N", or "all".
func (s Shard) String() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// owns reports whether position i belongs to the shard.
func (s Shard) owns(i int) bool { return s.N == 0 || i%s.N == s.K-1 }

// SeedRun is one scheme's outcome under one seed.
type SeedRun struct {
	Scheme              string   `json:"scheme"`
	Passed              bool     `json:"passed"`
	Generated           int64    `json:"generated"`
	Errors              int64    `json:"errors"`
	Duplicates          int64    `json:"duplicates"`
	MonotonicViolations int64    `json:"monotonic_violations"`
	Failed              []string `json:"failed,omitempty"` // "key want, got …"
}

// SeedResult is one seed's outcome.
type SeedResult struct {
	Seed   uint64    `json:"seed"`
	Passed bool      `json:"passed"`
	Replay string    `json:"replay"`
	Runs   []SeedRun `json:"runs"`
}

// Sweep is the outcome of running a scenario over many seeds.
type Sweep struct {
	Scenario  string `json:"scenario"`
	File      string `json:"file"`
	FirstSeed uint64 `json:"first_seed"`
	Seeds     int    `json:"seeds"`
	// Shard is "all" for a whole sweep, or the part this file holds.
	Shard   string       `json:"shard"`
	Passed  bool         `json:"passed"`
	Failing []uint64     `json:"failing"`
	Results []SeedResult `json:"results"`
}

// RunSweep runs the scenario with seeds first, first+1, … (n of them),
// or the shard's share of them, and collects every seed's outcome.
// progress, if set, is called after each seed.
func RunSweep(sc *Scenario, first uint64, n int, shard Shard, opt Options, progress func(done, total int)) (*Sweep, error) {
	if err := CheckSeeds(first, n); err != nil {
		return nil, err
	}
	sw := &Sweep{Scenario: sc.Name, File: sc.File, FirstSeed: first, Seeds: n, Shard: shard.String(), Passed: true, Failing: []uint64{}, Results: []SeedResult{}}
	total := 0
	for i := range n {
		if shard.owns(i) {
			total++
		}
	}
	done := 0
	for i := range n {
		if !shard.owns(i) {
			continue
		}
		seed := first + uint64(i)
		o := opt
		o.Seed, o.SeedSet, o.Progress = seed, true, nil
		res, err := Run(sc, o)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", seed, err)
		}
		r := SeedResult{Seed: seed, Passed: res.Passed, Replay: res.Replay}
		for _, run := range res.Runs {
			sr := SeedRun{Scheme: run.Scheme, Passed: run.Passed, Generated: run.Generated, Errors: run.Errors,
				Duplicates: run.Duplicates, MonotonicViolations: run.MonotonicViolations}
			for _, e := range run.Expectations {
				if !e.Passed {
					sr.Failed = append(sr.Failed, fmt.Sprintf("%s %s, got %s", e.Key, e.Want, e.Got))
				}
			}
			r.Runs = append(r.Runs, sr)
		}
		sw.add(r)
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	return sw, nil
}

// CheckSeeds checks that a sweep of n seeds from first is possible: at
// least one seed, and none past the largest uint64 (they would wrap to
// 0, 1, …).
func CheckSeeds(first uint64, n int) error {
	if n < 1 {
		return fmt.Errorf("%d seeds: a sweep runs at least one", n)
	}
	if _, ok := lastSeed(first, n); !ok {
		return fmt.Errorf("%d seeds from %d run past the largest seed, %d; use a smaller --first or fewer --seeds", n, first, uint64(math.MaxUint64))
	}
	return nil
}

func (sw *Sweep) add(r SeedResult) {
	sw.Results = append(sw.Results, r)
	if !r.Passed {
		sw.Passed = false
		sw.Failing = append(sw.Failing, r.Seed)
	}
}

// MergeSweeps joins the shards of one sweep into the sweep a single run
// gives; errors name a shard by its label. See MergeFiles.
func MergeSweeps(parts []*Sweep) (*Sweep, error) {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = fmt.Sprintf("shard %q", p.Shard)
	}
	return MergeFiles(names, parts)
}

// MergeFiles joins the shards of one sweep, read from the files names
// (names[i] holds parts[i]; errors name it), into the sweep a single run
// gives. Shards are input — CI artifacts — so nothing in them is trusted:
// every shard must be a K/N part of the same scenario, scenario file,
// seed range, shard count and schemes; each must hold exactly its own
// seeds, each seed with a run per scheme; together they must cover every
// seed once; and every passed and failing field must agree with the
// failed expectations listed, from which the merged verdict is computed
// afresh.
func MergeFiles(names []string, parts []*Sweep) (*Sweep, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no shards")
	}
	if len(names) != len(parts) {
		return nil, fmt.Errorf("merge: %d names for %d shards", len(names), len(parts))
	}
	shards := make([]Shard, len(parts))
	for i, p := range parts {
		sh, err := checkShard(p)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", names[i], err)
		}
		shards[i] = sh
	}
	p0, n0, schemes0 := parts[0], names[0], schemesOf(parts[0])
	out := &Sweep{Scenario: p0.Scenario, File: p0.File, FirstSeed: p0.FirstSeed, Seeds: p0.Seeds, Shard: "all", Passed: true, Failing: []uint64{}, Results: []SeedResult{}}
	var all []SeedResult
	holder := map[int]string{} // shard K -> the name holding it
	for i, p := range parts {
		name := names[i]
		switch {
		case p.Scenario != p0.Scenario || p.FirstSeed != p0.FirstSeed || p.Seeds != p0.Seeds:
			return nil, fmt.Errorf("merge: %s is of scenario %s, seeds %d+%d, but %s of scenario %s, seeds %d+%d: shards of different sweeps",
				name, p.Scenario, p.FirstSeed, p.Seeds, n0, p0.Scenario, p0.FirstSeed, p0.Seeds)
		case p.File != p0.File:
			return nil, fmt.Errorf("merge: %s ran the scenario file %q, but %s ran %q: shards of different sweeps", name, p.File, n0, p0.File)
		case shards[i].N != shards[0].N:
			return nil, fmt.Errorf("merge: %s is shard %s, but %s is shard %s: shards of one sweep share their N", name, p.Shard, n0, p0.Shard)
		}
		if s := schemesOf(p); len(s) > 0 && len(schemes0) > 0 && !slices.Equal(s, schemes0) {
			return nil, fmt.Errorf("merge: %s has schemes %s, but %s has %s: shards of different scenarios",
				name, strings.Join(s, ", "), n0, strings.Join(schemes0, ", "))
		}
		if len(schemes0) == 0 {
			schemes0 = schemesOf(p)
		}
		if prev, dup := holder[shards[i].K]; dup {
			return nil, fmt.Errorf("merge: shard %s given twice: %s and %s", p.Shard, prev, name)
		}
		holder[shards[i].K] = name
		all = append(all, p.Results...)
	}
	if n := shards[0].N; len(holder) < n {
		// Name the first few missing; N may be vast, the shards given
		// are few, so this stops within len(holder)+5 steps.
		var missing []string
		for k := 1; k <= n && len(missing) < 5; k++ {
			if _, ok := holder[k]; !ok {
				missing = append(missing, Shard{k, n}.String())
			}
		}
		if more := n - len(holder) - len(missing); more > 0 {
			missing = append(missing, fmt.Sprintf("and %d more", more))
		}
		return nil, fmt.Errorf("merge: shard %s missing: the shards given hold %d of the sweep's %d seeds", strings.Join(missing, ", "), len(all), p0.Seeds)
	}
	slices.SortFunc(all, func(a, b SeedResult) int { return cmp.Compare(a.Seed, b.Seed) })
	for i, r := range all {
		if i > 0 && all[i-1].Seed == r.Seed {
			return nil, fmt.Errorf("merge: seed %d appears in two shards", r.Seed)
		}
	}
	if len(all) != p0.Seeds {
		return nil, fmt.Errorf("merge: the shards hold %d of the sweep's %d seeds; some shards are missing", len(all), p0.Seeds)
	}
	for _, r := range all {
		out.add(r)
	}
	return out, nil
}

// lastSeed returns the last seed of n from first, and false when n < 1
// or the seeds would run past the largest uint64.
func lastSeed(first uint64, n int) (uint64, bool) {
	if n < 1 || uint64(n-1) > math.MaxUint64-first {
		return 0, false
	}
	return first + uint64(n-1), true
}

// checkShard checks that a shard is whole and consistent on its own, and
// returns its K/N.
func checkShard(p *Sweep) (Shard, error) {
	if p.Scenario == "" && p.Seeds == 0 && p.Shard == "" {
		return Shard{}, errors.New("not a sweep shard (no scenario, seeds or shard)")
	}
	if err := ValidName("scenario name", p.Scenario); err != nil {
		return Shard{}, err
	}
	if p.File == "" {
		return Shard{}, errors.New(`missing file (the scenario file the sweep ran)`)
	}
	if p.Seeds < 1 {
		return Shard{}, fmt.Errorf("seeds %d: a sweep runs at least one seed", p.Seeds)
	}
	last, ok := lastSeed(p.FirstSeed, p.Seeds)
	if !ok {
		return Shard{}, fmt.Errorf("seeds %d from %d run past the largest seed, %d", p.Seeds, p.FirstSeed, uint64(math.MaxUint64))
	}
	if p.Shard == "all" {
		return Shard{}, errors.New(`shard "all" is a whole sweep, not a shard: there is nothing to merge`)
	}
	sh, err := ParseShard(p.Shard)
	if err != nil {
		return Shard{}, err
	}
	// Positions K-1, K-1+N, … below Seeds; counted, not walked: a
	// shard may claim any number of seeds.
	want := 0
	if p.Seeds >= sh.K {
		want = (p.Seeds-sh.K)/sh.N + 1
	}
	if len(p.Results) != want {
		return Shard{}, fmt.Errorf("shard %s of %d seeds holds %d results, want %d", sh, p.Seeds, len(p.Results), want)
	}
	passed, failing := true, []uint64{}
	var schemes []string
	for i, r := range p.Results {
		if r.Seed < p.FirstSeed || r.Seed > last {
			return Shard{}, fmt.Errorf("seed %d is outside the sweep's seeds %d to %d", r.Seed, p.FirstSeed, last)
		}
		if pos := r.Seed - p.FirstSeed; pos%uint64(sh.N) != uint64(sh.K-1) {
			return Shard{}, fmt.Errorf("seed %d belongs to shard %d/%d, not %s", r.Seed, pos%uint64(sh.N)+1, sh.N, sh)
		}
		if i > 0 && r.Seed <= p.Results[i-1].Seed {
			return Shard{}, fmt.Errorf("seed %d follows seed %d: results out of order or repeated", r.Seed, p.Results[i-1].Seed)
		}
		if err := checkSeed(r); err != nil {
			return Shard{}, fmt.Errorf("seed %d: %w", r.Seed, err)
		}
		labels := make([]string, len(r.Runs))
		for j, run := range r.Runs {
			labels[j] = run.Scheme
		}
		if i == 0 {
			schemes = labels
		} else if !slices.Equal(labels, schemes) {
			return Shard{}, fmt.Errorf("seed %d ran schemes %s, seed %d ran %s", r.Seed, strings.Join(labels, ", "), p.Results[0].Seed, strings.Join(schemes, ", "))
		}
		if !r.Passed {
			passed = false
			failing = append(failing, r.Seed)
		}
	}
	if p.Passed != passed {
		return Shard{}, fmt.Errorf("passed is %v, but its results say %v", p.Passed, passed)
	}
	if !slices.Equal(p.Failing, failing) {
		return Shard{}, fmt.Errorf("failing lists seeds %v, but its results fail seeds %v", p.Failing, failing)
	}
	return sh, nil
}

// checkSeed checks one seed's result against itself: passed is what its
// runs' failed expectations say, and the replay command runs that seed.
func checkSeed(r SeedResult) error {
	if len(r.Runs) == 0 {
		return errors.New("no runs (a seed has one per scheme)")
	}
	want := fmt.Sprintf(" --seed %d", r.Seed)
	if !strings.HasPrefix(r.Replay, "idsim run ") || !strings.HasSuffix(r.Replay, want) || strings.ContainsAny(r.Replay, "\r\n`") {
		return fmt.Errorf("replay %q is not the command that replays it (idsim run …%s)", r.Replay, want)
	}
	passed := true
	seen := map[string]bool{}
	for _, run := range r.Runs {
		if err := ValidName("scheme label", run.Scheme); err != nil {
			return err
		}
		if seen[run.Scheme] {
			return fmt.Errorf("scheme %s listed twice", run.Scheme)
		}
		seen[run.Scheme] = true
		if run.Generated < 0 || run.Errors < 0 || run.Duplicates < 0 || run.MonotonicViolations < 0 {
			return fmt.Errorf("scheme %s: negative counts", run.Scheme)
		}
		if ok := len(run.Failed) == 0; run.Passed != ok {
			return fmt.Errorf("scheme %s: passed is %v, but %d expectations are listed as failed", run.Scheme, run.Passed, len(run.Failed))
		}
		passed = passed && run.Passed
	}
	if r.Passed != passed {
		return fmt.Errorf("passed is %v, but its runs say %v", r.Passed, passed)
	}
	return nil
}

// schemesOf returns the scheme labels of a sweep's first seed.
func schemesOf(sw *Sweep) []string {
	if len(sw.Results) == 0 {
		return nil
	}
	var s []string
	for _, run := range sw.Results[0].Runs {
		s = append(s, run.Scheme)
	}
	return s
}

// JSON renders the sweep.
func (sw *Sweep) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(sw, "", "  ")
	return append(b, '\n'), err
}

// Markdown renders the sweep for people: the failing seeds with the
// command that replays each, and a summary per scheme.
func (sw *Sweep) Markdown() []byte {
	var b strings.Builder
	verdict := "PASSED"
	if !sw.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "# %s — sweep of %d seeds (%d to %d) — %s\n\n", sw.Scenario, sw.Seeds, sw.FirstSeed, sw.FirstSeed+uint64(sw.Seeds)-1, verdict)
	if sw.Shard != "all" {
		fmt.Fprintf(&b, "Shard %s: %d of the seeds. Join the shards with `idsim merge`.\n\n", sw.Shard, len(sw.Results))
	}
	type agg struct {
		failed                int
		dups, viol, errs, gen int64
	}
	var order []string
	per := map[string]*agg{}
	for _, r := range sw.Results {
		for _, run := range r.Runs {
			a := per[run.Scheme]
			if a == nil {
				a = &agg{}
				per[run.Scheme] = a
				order = append(order, run.Scheme)
			}
			if !run.Passed {
				a.failed++
			}
			a.dups += run.Duplicates
			a.viol += run.MonotonicViolations
			a.errs += run.Errors
			a.gen += run.Generated
		}
	}
	b.WriteString("| scheme | seeds failed | generated | errors | duplicates | monotonic violations |\n|---|--:|--:|--:|--:|--:|\n")
	for _, s := range order {
		a := per[s]
		fmt.Fprintf(&b, "| %s | %d of %d | %d | %d | %d | %d |\n", s, a.failed, len(sw.Results), a.gen, a.errs, a.dups, a.viol)
	}
	if len(sw.Failing) > 0 {
		b.WriteString("\n## Failing seeds\n\n")
		for _, r := range sw.Results {
			if r.Passed {
				continue
			}
			fmt.Fprintf(&b, "- seed %d: `%s`\n", r.Seed, r.Replay)
			for _, run := range r.Runs {
				for _, f := range run.Failed {
					fmt.Fprintf(&b, "  - %s: expected %s\n", run.Scheme, f)
				}
			}
		}
	}
	return []byte(b.String())
}
