package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// shardsOf runs the flaky scenario's sweep of seeds 1..12 in n shards.
func shardsOf(t *testing.T, n int) []*Sweep {
	t.Helper()
	sc, err := Parse("flaky.yaml", []byte(flaky))
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Sweep
	for k := 1; k <= n; k++ {
		p, err := RunSweep(sc, 1, 12, Shard{k, n}, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	return parts
}

// copyOf returns a deep copy of shards, through JSON as merge reads them.
func copyOf(t *testing.T, parts []*Sweep) []*Sweep {
	t.Helper()
	var out []*Sweep
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var c Sweep
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, &c)
	}
	return out
}

// Tampered, inconsistent or incomplete shards are refused, and the error
// names the file at fault and what is wrong with it.
func TestMergeRefusesBadShards(t *testing.T) {
	good := shardsOf(t, 3)
	names := []string{"a.json", "b.json", "c.json"}
	if _, err := MergeFiles(names, copyOf(t, good)); err != nil {
		t.Fatalf("good shards: %v", err)
	}
	failingShard := -1
	for i, p := range good {
		if !p.Passed {
			failingShard = i
		}
	}
	if failingShard < 0 {
		t.Fatal("want a shard with a failing seed")
	}
	other := shardsOf(t, 4)
	for _, tt := range []struct {
		name   string
		tamper func(p []*Sweep) []*Sweep
		want   string
	}{
		{"empty object", func(p []*Sweep) []*Sweep { *p[1] = Sweep{}; return p }, "b.json: not a sweep shard"},
		{"path as scenario name", func(p []*Sweep) []*Sweep { p[0].Scenario = "../x"; return p }, `a.json: scenario name "../x"`},
		{"zero seeds", func(p []*Sweep) []*Sweep { p[2].Seeds = 0; return p }, "c.json: seeds 0"},
		{"seeds past the largest", func(p []*Sweep) []*Sweep { p[0].FirstSeed = 1<<64 - 5; return p }, "a.json: seeds 12 from 18446744073709551611 run past"},
		{"seed outside the range", func(p []*Sweep) []*Sweep { p[1].Results[0].Seed = 100; return p }, "b.json: seed 100 is outside the sweep's seeds 1 to 12"},
		{"seed of another shard", func(p []*Sweep) []*Sweep { p[1].Results[0].Seed = 1; return p }, "b.json: seed 1 belongs to shard 1/3, not 2/3"},
		{"runs null", func(p []*Sweep) []*Sweep { p[2].Results[1].Runs = nil; return p }, "c.json: seed 6: no runs"},
		{"results null", func(p []*Sweep) []*Sweep { p[2].Results = nil; return p }, "c.json: shard 3/3 of 12 seeds holds 0 results, want 4"},
		{"file differs", func(p []*Sweep) []*Sweep { p[1].File = "other.yaml"; return p }, `b.json ran the scenario file "other.yaml"`},
		{"scenario differs", func(p []*Sweep) []*Sweep { p[1].Scenario = "other"; return p }, "b.json is of scenario other"},
		{"labels 1/3 with 2/4", func(p []*Sweep) []*Sweep { return []*Sweep{p[0], other[1]} }, "b.json is shard 2/4, but a.json is shard 1/3"},
		{"whole sweep", func(p []*Sweep) []*Sweep { p[0].Shard = "all"; return p }, `a.json: shard "all" is a whole sweep`},
		{"bad label", func(p []*Sweep) []*Sweep { p[0].Shard = "0/3"; return p }, `a.json: shard "0/3"`},
		{"missing shard", func(p []*Sweep) []*Sweep { return p[:2] }, "shard 3/3 missing"},
		{"repeated shard", func(p []*Sweep) []*Sweep { return []*Sweep{p[0], p[1], p[1]} }, "shard 2/3 given twice: b.json and c.json"},
		{"run verdict flipped", func(p []*Sweep) []*Sweep {
			r := &p[failingShard].Results[0].Runs[0]
			r.Passed = !r.Passed
			return p
		}, "passed is"},
		{"seed verdict flipped", func(p []*Sweep) []*Sweep {
			r := &p[1].Results[2]
			r.Passed = !r.Passed
			return p
		}, "b.json: seed 8: passed is"},
		{"shard verdict flipped", func(p []*Sweep) []*Sweep {
			p[failingShard].Passed = true
			return p
		}, names[failingShard] + ": passed is true, but its results say false"},
		{"failing list emptied", func(p []*Sweep) []*Sweep {
			p[failingShard].Failing = []uint64{}
			return p
		}, names[failingShard] + ": failing lists seeds []"},
		{"negative count", func(p []*Sweep) []*Sweep { p[0].Results[0].Runs[0].Duplicates = -1; return p }, "a.json: seed 1: scheme v4-16bit: negative counts"},
		{"replay of another seed", func(p []*Sweep) []*Sweep { p[0].Results[0].Replay = "idsim run flaky.yaml --seed 9"; return p }, "a.json: seed 1: replay"},
		{"scheme label a path", func(p []*Sweep) []*Sweep { p[0].Results[0].Runs[0].Scheme = "../x"; return p }, `a.json: seed 1: scheme label "../x"`},
		{"schemes differ between seeds", func(p []*Sweep) []*Sweep { p[0].Results[1].Runs[0].Scheme = "other"; return p }, "a.json: seed 4 ran schemes other"},
		{"schemes differ between shards", func(p []*Sweep) []*Sweep {
			for i := range p[2].Results {
				p[2].Results[i].Runs[0].Scheme = "other"
			}
			return p
		}, "c.json has schemes other, but a.json has v4-16bit"},
	} {
		parts := tt.tamper(copyOf(t, good))
		_, err := MergeFiles(names[:len(parts)], parts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v\nwant an error containing %q", tt.name, err, tt.want)
		}
	}
}

// FuzzMergeShards feeds merge two shards as JSON, mutated. Whatever the
// bytes, merge must not panic, and what it accepts must be a whole,
// consistent sweep: every seed of the range once, in order, with the
// verdicts its results give.
func FuzzMergeShards(f *testing.F) {
	sc, err := Parse("flaky.yaml", []byte(flaky))
	if err != nil {
		f.Fatal(err)
	}
	var js [][]byte
	for k := 1; k <= 2; k++ {
		p, err := RunSweep(sc, 1, 6, Shard{k, 2}, Options{}, nil)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := p.JSON()
		js = append(js, b)
	}
	f.Add(js[0], js[1])
	f.Add([]byte(`{}`), js[1])
	f.Add(js[0], []byte(`{"scenario":"flaky","file":"flaky.yaml","first_seed":1,"seeds":6,"shard":"2/2","passed":true,"failing":[],"results":null}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var parts []*Sweep
		for _, src := range [][]byte{a, b} {
			var sw Sweep
			if json.Unmarshal(src, &sw) != nil {
				return
			}
			parts = append(parts, &sw)
		}
		m, err := MergeFiles([]string{"a.json", "b.json"}, parts)
		if err != nil {
			return
		}
		if ValidName("scenario name", m.Scenario) != nil {
			t.Fatalf("merged scenario name %q", m.Scenario)
		}
		if len(m.Results) != m.Seeds || m.Seeds < 1 {
			t.Fatalf("%d results for %d seeds", len(m.Results), m.Seeds)
		}
		passed := true
		for i, r := range m.Results {
			if r.Seed != m.FirstSeed+uint64(i) {
				t.Fatalf("result %d is seed %d, want %d", i, r.Seed, m.FirstSeed+uint64(i))
			}
			if len(r.Runs) == 0 {
				t.Fatalf("seed %d: no runs", r.Seed)
			}
			passed = passed && r.Passed
		}
		if m.Passed != passed {
			t.Fatalf("merged passed %v, results say %v", m.Passed, passed)
		}
		m.Markdown()
	})
}

// A shard claiming a vast number of seeds is refused at once, not
// counted one by one (FuzzMergeShards found merge spinning on seeds:
// 1e18); nor are the missing shards of a vast shard count listed.
func TestMergeVastCounts(t *testing.T) {
	parts := copyOf(t, shardsOf(t, 2))
	for _, p := range parts {
		p.Seeds = 1e18
	}
	quickly(t, parts, "a.json: shard 1/2 of 1000000000000000000 seeds holds 6 results, want 500000000000000000")
	parts = copyOf(t, shardsOf(t, 2))[:1]
	parts[0].Shard = "1/1000000000000"
	parts[0].Seeds = 1
	parts[0].Results = parts[0].Results[:1]
	parts[0].Passed, parts[0].Failing = parts[0].Results[0].Passed, nil
	if !parts[0].Passed {
		parts[0].Failing = []uint64{1}
	}
	quickly(t, parts, "merge: shard 2/1000000000000, 3/1000000000000, 4/1000000000000, 5/1000000000000, 6/1000000000000, and 999999999994 more missing")
}

// quickly merges parts, and fails unless that gives the error want within
// 10 s.
func quickly(t *testing.T, parts []*Sweep, want string) {
	t.Helper()
	names := []string{"a.json", "b.json", "c.json"}[:len(parts)]
	done := make(chan error, 1)
	go func() { _, err := MergeFiles(names, parts); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nwant %q", err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("merge still at work after 10 s")
	}
}
