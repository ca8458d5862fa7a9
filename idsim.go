// Package idsim embeds the idsim harness in a Go program or a go test:
// load or build a scenario, run it on the deterministic simulator, read
// the results, write the reports — and register scheme kinds of your
// own, so that your generator gets everything a built-in kind gets:
// workers with their own clocks, every fault, the coordinator and
// database services, checks, explained and blamed findings, charts,
// reports, sweeps and minimisation.
//
// A scheme kind implements kind.Kind (parse its keys from a scenario
// file) and builds a kind.Scheme, whose generators take their time only
// from the simulator's clock and their randomness only from its entropy
// stream; see the package example.
package idsim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

// Scenario is a validated scenario.
type Scenario = scenarios.Scenario

// Results are what a run found, as results.json holds them.
type Results = reports.Results

// Options adjust a run (a seed other than the scenario's, parallelism).
type Options = scenarios.Options

// Register makes a scheme kind available to scenario files under its
// name. Register before parsing scenarios that use it; a name already
// taken panics.
func Register(k kind.Kind) { kind.Register(k) }

// Parse reads and validates a scenario file's contents; file names it in
// errors ("file:line:column: message").
func Parse(file string, src []byte) (*Scenario, error) { return scenarios.Parse(file, src) }

// Load loads a shipped scenario by name (see `idsim list scenarios`) or
// a scenario file by path.
func Load(nameOrFile string) (*Scenario, error) { return scenarios.Load(nameOrFile) }

// WithSchemes loads a shipped scenario or a scenario file and replaces
// its schemes and expectations: the same workers, load and faults, run
// on schemes of your choice. schemes is a YAML list of scheme entries and
// expect a YAML mapping from their labels to expectations (empty for
// none), both as a scenario file writes them.
func WithSchemes(nameOrFile, schemes, expect string) (*Scenario, error) {
	sc, err := scenarios.Load(nameOrFile)
	if err != nil {
		return nil, err
	}
	src, err := scenarios.Source(sc)
	if err != nil {
		return nil, err
	}
	var doc yaml.MapSlice
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	var list, exp any
	if err := yaml.Unmarshal([]byte(schemes), &list); err != nil {
		return nil, fmt.Errorf("schemes: %w", err)
	}
	if strings.TrimSpace(expect) != "" {
		if err := yaml.Unmarshal([]byte(expect), &exp); err != nil {
			return nil, fmt.Errorf("expect: %w", err)
		}
	}
	var out yaml.MapSlice
	for _, item := range doc {
		switch item.Key {
		case "schemes":
			item.Value = list
		case "expect":
			continue
		}
		out = append(out, item)
	}
	if exp != nil {
		out = append(out, yaml.MapItem{Key: "expect", Value: exp})
	}
	b, err := yaml.Marshal(out)
	if err != nil {
		return nil, err
	}
	return scenarios.Parse(sc.File+" (with schemes replaced)", b)
}

// Run runs every scheme of the scenario and evaluates its expectations.
func Run(sc *Scenario, opt Options) (*Results, error) { return scenarios.Run(sc, opt) }

// Sweep runs the scenario with n seeds from first and gathers which
// failed, with the command that replays each.
func Sweep(sc *Scenario, first uint64, n int, opt Options) (*scenarios.Sweep, error) {
	return scenarios.RunSweep(sc, first, n, scenarios.Shard{}, opt, nil)
}

// Minimize shrinks a failing scenario file's contents — schemes,
// expectations, faults, workers, duration — to a smaller one that still
// fails the same expectation; seedSet says whether seed replaces the
// file's own.
func Minimize(file string, src []byte, seed uint64, seedSet bool) (*scenarios.Minimized, error) {
	return scenarios.Minimize(file, src, seed, seedSet)
}

// Write writes results.json, report.md, report.html, duplicates.csv and
// the charts into dir/<scenario>/, replacing what was there, and returns
// that directory.
func Write(dir string, res *Results) (string, error) { return reports.Write(dir, res) }

// Test runs the scenario and fails t for every expectation that did not
// hold, naming the scenario's file and line and explaining the first
// findings; it returns the results for further checks.
func Test(t testing.TB, sc *Scenario) *Results {
	t.Helper()
	res, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		t.Fatalf("idsim: %v", err)
		return nil
	}
	for _, run := range res.Runs {
		for _, e := range run.Expectations {
			if e.Passed {
				continue
			}
			var why []string
			for i, g := range run.DuplicateGroups {
				if i == 3 {
					break
				}
				why = append(why, g.Explanation)
			}
			t.Errorf("%s:%d: %s: expected %s %s, got %s\n%s", sc.File, e.Line, run.Scheme, e.Key, e.Want, e.Got, strings.Join(why, "\n"))
		}
	}
	return res
}
