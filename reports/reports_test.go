package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample() *Results {
	return &Results{
		Scenario: "demo", File: "demo.yaml", Seed: 3, Passed: false, Replay: "idsim run demo.yaml --seed 3",
		Faults: []Fault{{ID: "clock_step#1", Kind: "clock_step", Description: "step", Line: 9, Active: []Span{{From: "1s", To: "2s", FromNs: 1e9, ToNs: 2e9}}}},
		Runs: []Run{{
			Scheme: "naive", Kind: "snowflake", Generated: 1234567, Duplicates: 1, DuplicatedIDs: 1,
			Expectations:    []Expectation{{Key: "duplicates", Want: ">0", Got: "1", Passed: true}, {Key: "unique", Want: "true", Got: "1 duplicates", Passed: false}},
			DuplicateGroups: []DuplicateGroup{{OriginalWorker: 2, CopyWorker: 2, Count: 1, Explanation: "because"}},
			DuplicateList: []Duplicate{{IDText: "42", Decoded: "time x, worker 2, sequence 0",
				Original: Issue{Worker: 2, WorkerID: "worker 2"}, Copy: Issue{Worker: 2, WorkerID: "worker 2"}, Faults: []string{"clock_step#1"}}},
		}},
	}
}

func TestRenderings(t *testing.T) {
	r := sample()
	j, _ := JSON(r)
	if !strings.Contains(string(j), `"want": ">0"`) || strings.Contains(string(j), "DuplicateList") {
		t.Errorf("results.json:\n%s", j)
	}
	md, _ := Markdown(r)
	for _, want := range []string{"# demo — FAILED", "| naive |", "1,234,567", "**violated**", "1. **1 duplicates, worker 2.** because"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	c, _ := CSV(r)
	if lines := strings.Split(strings.TrimSpace(string(c)), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], `naive,42,"time x, worker 2, sequence 0",2,worker 2,`) {
		t.Errorf("duplicates.csv:\n%s", c)
	}
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	r := sample()
	if _, err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "demo", "stale.txt"), []byte("x"), 0o644)
	out, err := Write(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "charts duplicates.csv report.html report.md results.json" {
		t.Errorf("files %v", names)
	}
	all, _ := os.ReadDir(dir)
	if len(all) != 1 {
		t.Errorf("leftovers in %s: %v", dir, all)
	}
}
