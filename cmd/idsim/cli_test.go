package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idsim runs the CLI in dir and returns its exit status and output.
func idsim(t testing.TB, dir string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		old, _ := os.Getwd()
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(old)
	}
	var out, errb bytes.Buffer
	code := cli(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunShipped(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := idsim(t, dir, "run", "ntp-backward", "--out", "results")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "ntp-backward passed; report: results/ntp-backward/report.md") {
		t.Errorf("output does not say where the report is:\n%s", out)
	}
	var res struct {
		Scenario string `json:"scenario"`
		Seed     uint64 `json:"seed"`
		Passed   bool   `json:"passed"`
		Runs     []struct {
			Scheme              string `json:"scheme"`
			Kind                string `json:"kind"`
			Generated           int64  `json:"generated"`
			Errors              *int64 `json:"errors"`
			Duplicates          int64  `json:"duplicates"`
			MonotonicViolations *int64 `json:"monotonic_violations"`
			Passed              bool   `json:"passed"`
		} `json:"runs"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "results", "ntp-backward", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Scenario != "ntp-backward" || res.Seed != 42 || !res.Passed || len(res.Runs) != 3 {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res.Runs {
		if r.Kind != "snowflake" || r.Generated == 0 || r.Errors == nil || r.MonotonicViolations == nil || !r.Passed {
			t.Errorf("run %+v", r)
		}
	}
	for _, f := range []string{"report.md", "duplicates.csv"} {
		if _, err := os.Stat(filepath.Join(dir, "results", "ntp-backward", f)); err != nil {
			t.Error(err)
		}
	}
}

// A violated expectation exits 1 and prints the replay command.
func TestRunFailedExpectation(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../scenarios/shipped/ntp-backward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Expect the naive policy to be safe: the harness must say it is not.
	bad := strings.Replace(string(src), `ignore: {duplicates: ">0", monotonic: false}`, `ignore: {unique: true}`, 1)
	os.WriteFile(filepath.Join(dir, "naive.yaml"), []byte(bad), 0o644)
	code, out, _ := idsim(t, dir, "run", "naive.yaml", "--seed", "9", "--quiet")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"ntp-backward FAILED", "ignore: expected unique true, got", "replay: idsim run naive.yaml --seed 9"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Bad input exits 2 and writes nothing, even when another scenario on the
// same command line is fine.
func TestRunBadInputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: bad\nduration: 1s\nworkers: {count: 4}\nload: {per_worker: -5/s}\nschemes: []\n"), 0o644)
	code, _, stderr := idsim(t, dir, "run", "ntp-backward", "bad.yaml", "--out", "out")
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr, "bad.yaml:4:20: rate \"-5/s\" must be positive") || !strings.Contains(stderr, "    4 | load: {per_worker: -5/s}") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("output directory written: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"run"},
		{"run", "no-such-scenario"},
		{"run", "ntp-backward", "--seed", "minus-one"},
		{"run", "ntp-backward", "--bogus"},
		{"layout"},
		{"layout", "snowfake"},
		{"decode", "18446744073709551615"},
		{"decode", "01ARZ3NDEKTSV4RRFFQ69G5FA!"},
		{"decode", "123", "--layout", "nope"},
		{"decode", "abc", "--layout", "twitter"},
		{"decode", "--layout", "twitter"},
		{"list", "gadgets"},
	} {
		if code, _, stderr := idsim(t, t.TempDir(), args...); code != 2 || stderr == "" {
			t.Errorf("idsim %v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"run", "--help"}, {"help", "decode"}, {"layout", "-h"}} {
		code, out, stderr := idsim(t, "", args...)
		if code != 0 || !strings.Contains(out+stderr, "Usage") {
			t.Errorf("idsim %v: exit %d\n%s%s", args, code, out, stderr)
		}
	}
}

func TestLayoutTwitter(t *testing.T) {
	code, out, _ := idsim(t, "", "layout", "twitter")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{
		"bits 62..22  time        41 bits  1ms ticks since 2010-11-04T01:42:54.657Z",
		"bits 11..0   sequence    12 bits  4096 IDs per tick",
		"nodes             1,024",
		"ceiling           4,096,000 IDs/s per worker, 4,194,304,000 IDs/s per cluster",
		"horizon           2080-07-10T17:30:30.209Z",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("layout twitter lacks %q:\n%s", want, out)
		}
	}
}

func TestDecodeDiscord(t *testing.T) {
	code, out, _ := idsim(t, "", "decode", "175928847299117063", "--layout", "discord")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"time       2016-04-30T11:18:25.796Z", "worker     1", "process    0", "increment  7"} {
		if !strings.Contains(out, want) {
			t.Errorf("decode lacks %q:\n%s", want, out)
		}
	}
	// Hex input and flags before the ID work too.
	if code, out2, _ := idsim(t, "", "decode", "--layout", "discord", "0x271065ac1020007"); code != 0 || !strings.Contains(out2, "2016-04-30T11:18:25.796Z") {
		t.Errorf("hex decode: %d\n%s", code, out2)
	}
}

func TestList(t *testing.T) {
	code, out, _ := idsim(t, "", "list")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"ntp-backward", "duplicate-worker-id", "sequence-flood", "snowflake", "clock_step", "sequence_flood", "sonyflake"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestDecodeRecognises(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		// RFC 9562, appendix A.6.
		{[]string{"017F22E2-79B0-7CC3-98C4-DC0C0C07398F"}, []string{"UUID version 7, RFC 9562 variant", "time        2022-02-22T19:22:22Z", "rand_a      0xcc3"}},
		// RFC 9562, appendix A.1: version 1 carries the same instant.
		{[]string{"C232AB00-9414-11EC-B3C8-9F6BDECED846"}, []string{"UUID version 1", "time       2022-02-22T19:22:22Z", "node       9f6bdeced846"}},
		{[]string{"919108f7-52d1-4320-9bac-f847db4148a8"}, []string{"UUID version 4"}},
		// The ULID specification's example.
		{[]string{"01ARZ3NDEKTSV4RRFFQ69G5FAV"}, []string{"format  ULID", "time    2016-07-30T23:54:10.259Z (1469922850259 ms)"}},
		{[]string{"--layout", "ulid", "01arz3ndektsv4rrffq69g5fav"}, []string{"format  ULID"}},
		// A bare number may be any Snowflake layout: all plausible ones are shown.
		{[]string{"175928847299117063"}, []string{"Snowflake layouts decode 175928847299117063", "layout discord", "time       2016-04-30T11:18:25.796Z"}},
	} {
		code, out, stderr := idsim(t, "", append([]string{"decode"}, tt.args...)...)
		if code != 0 {
			t.Errorf("decode %v: exit %d: %s", tt.args, code, stderr)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("decode %v lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
}

func TestLiveBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"live"}, "name one scenario"},
		{[]string{"live", "a", "b"}, "name one scenario"},
		{[]string{"live", "no-such"}, "no shipped scenario of that name"},
		{[]string{"live", "ephemeral-sequential-churn"}, "ephemeral_sequential_mod runs in the simulator only"},
		{[]string{"live", "sequence-flood"}, "sequence_flood runs in the simulator only"},
		{[]string{"live", "zombie-lease", "--seed", "x"}, "not a whole number"},
		{[]string{"live", "zombie-lease", "--etcd-endpoints", " , "}, "lists no URL"},
	} {
		code, _, errs := idsim(t, dir, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.msg)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input wrote %d entries", len(entries))
	}
	code, _, help := idsim(t, dir, "help", "live")
	if code != 0 || !strings.Contains(help, "--etcd-endpoints") || !strings.Contains(help, "idsim live zombie-lease") {
		t.Errorf("help live: exit %d\n%s", code, help)
	}
}

func TestRunRegressionsAndDirectories(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := idsim(t, dir, "run", "regressions", "--quiet", "--out", "res")
	if code != 0 || strings.Count(out, " passed; report: ") != 11 {
		t.Fatalf("run regressions: exit %d\n%s%s", code, out, errs)
	}
	// A directory of scenario files runs them all.
	sc := filepath.Join(dir, "mine")
	os.Mkdir(sc, 0o755)
	for _, name := range []string{"a", "b"} {
		src := "name: " + name + "\nduration: 100ms\nworkers: {count: 2}\nload: {per_worker: 100/s}\nschemes: [{label: s, kind: uuidv4}]\n"
		os.WriteFile(filepath.Join(sc, name+".yaml"), []byte(src), 0o644)
	}
	code, out, errs = idsim(t, dir, "run", "mine", "--quiet", "--out", "res2")
	if code != 0 || !strings.Contains(out, "a passed") || !strings.Contains(out, "b passed") {
		t.Fatalf("run a directory: exit %d\n%s%s", code, out, errs)
	}
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	if code, _, errs := idsim(t, dir, "run", "empty"); code != 2 || !strings.Contains(errs, "without scenario files") {
		t.Errorf("empty directory: exit %d, %s", code, errs)
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.txt")
	os.WriteFile(clean, []byte("175928847299117063\n175928847299117064\n"), 0o644)
	code, out, errs := idsim(t, dir, "check", clean, "--layout", "discord", "--ordered", "--now", "2026-01-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "2 lines, 2 IDs") || !strings.Contains(out, "duplicates:            none") {
		t.Fatalf("clean file: exit %d\n%s%s", code, out, errs)
	}
	dirty := filepath.Join(dir, "dirty.csv")
	os.WriteFile(dirty, []byte("n,id\n1,175928847299117063\n2,oops\n3,175928847299117063\n"), 0o644)
	code, out, _ = idsim(t, dir, "check", dirty, "--column", "2", "--header", "--layout", "discord", "--ordered")
	if code != 1 || !strings.Contains(out, "line 3: \"oops\" is not an ID") || !strings.Contains(out, "line 4: 175928847299117063 repeats line 2") {
		t.Errorf("dirty file: exit %d\n%s", code, out)
	}
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"check"}, "name one file"},
		{[]string{"check", "missing.txt"}, "no such file"},
		{[]string{"check", clean, "--layout", "nope"}, "unknown layout"},
		{[]string{"check", clean, "--workers", "5-2"}, "not a range"},
		{[]string{"check", clean, "--now", "yesterday"}, "RFC 3339"},
		{[]string{"check", dirty, "--column", "2", "--strict"}, "line 1:"},
	} {
		if code, _, errs := idsim(t, dir, tt.args...); code != 2 || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, errs, tt.msg)
		}
	}
}

func TestSweepMergeAndMinimizeCommands(t *testing.T) {
	dir := t.TempDir()
	src := "name: flaky\nduration: 100ms\nworkers: {count: 2}\nload: {per_worker: 1000/s}\nschemes: [{label: v4, kind: uuidv4, random_bits: 16}]\nexpect: {v4: {unique: true}}\n"
	os.WriteFile(filepath.Join(dir, "flaky.yaml"), []byte(src), 0o644)
	code, out, errs := idsim(t, dir, "sweep", "flaky.yaml", "--seeds", "30", "--out", "whole")
	if code != 1 || !strings.Contains(out, "failing") || !strings.Contains(out, "failed: idsim run flaky.yaml --seed ") {
		t.Fatalf("sweep: exit %d\n%s%s", code, out, errs)
	}
	for _, k := range []string{"1/2", "2/2"} {
		if code, out, errs := idsim(t, dir, "sweep", "flaky.yaml", "--seeds", "30", "--shard", k, "--out", "shards"); code == 2 {
			t.Fatalf("shard %s: %s%s", k, out, errs)
		}
	}
	if code, out, errs := idsim(t, dir, "merge", "shards", "--out", "merged"); code != 1 {
		t.Fatalf("merge: exit %d\n%s%s", code, out, errs)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "whole", "flaky", "sweep.json"))
	b, _ := os.ReadFile(filepath.Join(dir, "merged", "flaky", "sweep.json"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("merged sweep.json differs from the whole sweep's")
	}
	for _, tt := range [][]string{{"sweep", "flaky.yaml"}, {"sweep", "flaky.yaml", "--seeds", "3", "--shard", "3/2"}, {"merge", "nowhere"}, {"merge", "whole"}} {
		if code, _, _ := idsim(t, dir, tt...); code != 2 {
			t.Errorf("%v: exit %d, want 2", tt, code)
		}
	}
	// A failing seed minimizes to a file that still fails.
	var seed string
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, "--seed "); i >= 0 {
			seed = strings.TrimSpace(line[i+7:])
			break
		}
	}
	code, out, errs = idsim(t, dir, "minimize", "flaky.yaml", "--seed", seed, "--out", "min.yaml")
	if code != 0 || !strings.Contains(out, "wrote min.yaml") {
		t.Fatalf("minimize: exit %d\n%s%s", code, out, errs)
	}
	if code, _, _ := idsim(t, dir, "run", "min.yaml", "--quiet", "--out", "m"); code != 1 {
		t.Errorf("the minimized scenario exits %d, want 1", code)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := idsim(t, dir, "run", "duplicate-worker-id", "sequence-flood", "--quiet", "--out", "runs"); code != 0 {
		t.Fatalf("run: %d\n%s%s", code, out, errs)
	}
	code, out, errs := idsim(t, dir, "report", "runs", "--out", "cmp")
	if code != 0 || !strings.Contains(out, "2 runs compared") {
		t.Fatalf("report: exit %d\n%s%s", code, out, errs)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "cmp", "comparison.md"))
	for _, want := range []string{"| duplicate-worker-id | 7 | ignore |", "| sequence-flood |", "comparison.png"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("comparison.md lacks %q:\n%s", want, md)
		}
	}
	if code, _, errs := idsim(t, dir, "report", "cmp"); code != 2 || !strings.Contains(errs, "holds no results.json") {
		t.Errorf("a directory without results: exit %d, %s", code, errs)
	}
}
