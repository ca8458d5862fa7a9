package scenarios

import (
	"bytes"
	"strings"
	"testing"
)

// A small scenario whose expectation fails for some seeds: UUIDv4 with
// 16 random bits collides or not depending on the seed.
const flaky = `name: flaky
duration: 100ms
workers: {count: 2}
load: {per_worker: 1000/s}
schemes:
  - {label: v4-16bit, kind: uuidv4, random_bits: 16}
expect:
  v4-16bit: {unique: true}
`

// Merging the shards of a sweep gives exactly the sweep one run gives.
func TestShardedSweepMergesToTheWholeSweep(t *testing.T) {
	sc, err := Parse("flaky.yaml", []byte(flaky))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := RunSweep(sc, 1, 40, Shard{}, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Passed || len(whole.Failing) == 0 || len(whole.Failing) == 40 {
		t.Fatalf("want some failing seeds, got %v", whole.Failing)
	}
	var parts []*Sweep
	for k := 3; k >= 1; k-- { // shards in any order
		p, err := RunSweep(sc, 1, 40, Shard{k, 3}, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	merged, err := MergeSweeps(parts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := whole.JSON()
	b, _ := merged.JSON()
	if !bytes.Equal(a, b) {
		t.Error("merged shards differ from the whole sweep")
	}
	if !bytes.Equal(whole.Markdown(), merged.Markdown()) {
		t.Error("merged sweep.md differs")
	}
	if !strings.Contains(string(whole.Markdown()), "idsim run flaky.yaml --seed ") {
		t.Error("failing seeds are not listed with their replay command")
	}
	if _, err := MergeSweeps(parts[:2]); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("two of three shards merged: %v", err)
	}
	if _, err := MergeSweeps(append(parts, parts[0])); err == nil {
		t.Error("a repeated shard merged")
	}
}

// Minimizing a shipped scenario made to fail gives a smaller scenario
// that still fails the same way.
func TestMinimizeShippedScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("about ten runs of compare-all")
	}
	src, err := ShippedSource("compare-all")
	if err != nil {
		t.Fatal(err)
	}
	failing := strings.Replace(string(src), `snowflake-ignore:           {duplicates: ">0"}`, `snowflake-ignore:           {unique: true}`, 1)
	m, err := Minimize("compare-all-failing.yaml", []byte(failing), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.After.Schemes != 1 || m.After.Faults >= m.Before.Faults || m.After.Workers >= m.Before.Workers {
		t.Errorf("not smaller: %s → %s", m.Before, m.After)
	}
	sc, err := Parse("min.yaml", m.Source)
	if err != nil {
		t.Fatalf("the minimized scenario does not parse: %v\n%s", err, m.Source)
	}
	res, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || res.Runs[0].Scheme != "snowflake-ignore" || res.Runs[0].Expectations[0].Key != "unique" {
		t.Errorf("the minimized scenario does not fail the same way: %+v", res.Runs)
	}
	if _, err := Minimize("compare-all.yaml", src, 0, false); err == nil || !strings.Contains(err.Error(), "nothing to minimize") {
		t.Errorf("a passing scenario: %v", err)
	}
}
