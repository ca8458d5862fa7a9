package scenarios

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
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

func (sw *Sweep) add(r SeedResult) {
	sw.Results = append(sw.Results, r)
	if !r.Passed {
		sw.Passed = false
		sw.Failing = append(sw.Failing, r.Seed)
	}
}

// MergeSweeps joins the shards of one sweep into the sweep a single run
// gives. Every shard must come from the same scenario, seeds and shard
// count, and together they must cover every seed once.
func MergeSweeps(parts []*Sweep) (*Sweep, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no shards")
	}
	p0 := parts[0]
	out := &Sweep{Scenario: p0.Scenario, File: p0.File, FirstSeed: p0.FirstSeed, Seeds: p0.Seeds, Shard: "all", Passed: true, Failing: []uint64{}, Results: []SeedResult{}}
	var all []SeedResult
	seen := map[string]bool{}
	for _, p := range parts {
		if p.Scenario != p0.Scenario || p.FirstSeed != p0.FirstSeed || p.Seeds != p0.Seeds {
			return nil, fmt.Errorf("merge: shard %s is of %s seeds %d+%d, shard %s of %s seeds %d+%d",
				p.Shard, p.Scenario, p.FirstSeed, p.Seeds, p0.Shard, p0.Scenario, p0.FirstSeed, p0.Seeds)
		}
		if seen[p.Shard] {
			return nil, fmt.Errorf("merge: shard %s given twice", p.Shard)
		}
		seen[p.Shard] = true
		all = append(all, p.Results...)
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
