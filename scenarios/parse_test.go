package scenarios

import (
	"errors"
	sfkind "github.com/idsim/idsim/kinds/snowflake"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
)

// base is a valid scenario; each bad case edits one thing in it.
const base = `name: base
seed: 5
duration: 2s
workers: {count: 8}
load: {per_worker: 1000/s, pattern: poisson}
schemes:
  - {label: naive, kind: snowflake, layout: twitter, on_clock_backward: ignore}
  - label: careful
    kind: snowflake
    layout: twitter
    on_clock_backward: wait
    max_wait: 1s
faults:
  - {kind: clock_step, at: 1s, workers: [1, 2], by: -200ms}
expect:
  naive: {duplicates: ">0"}
  careful: {unique: true, monotonic: true}
`

func TestParseBase(t *testing.T) {
	sc, err := Parse("base.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "base" || sc.Seed != 5 || sc.Duration != 2*time.Second || sc.Workers != 8 {
		t.Errorf("scenario %+v", sc)
	}
	if len(sc.Schemes) != 2 || sc.Schemes[1].Line != 8 {
		t.Errorf("schemes %+v", sc.Schemes)
	}
	if sf, _ := sc.Schemes[1].Sim.(*sfkind.Scheme).Snowflake(); sf.OnBackward != snowflake.Wait || sf.MaxWait != time.Second {
		t.Errorf("schemes %+v", sc.Schemes)
	}
	if len(sc.Faults) != 1 || sc.Faults[0].ID != "clock_step#1" || sc.Faults[0].Line != 14 {
		t.Errorf("faults %+v", sc.Faults)
	}
	if e := sc.Schemes[0].Expect; len(e) != 1 || e[0].Key != "duplicates" || e[0].Want != ">0" || e[0].Line != 16 {
		t.Errorf("expectations %+v", e)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name      string
		old, new  string // replace old by new in base
		line, col int
		msg       string
	}{
		{"unknown top-level key", "seed: 5", "sed: 5", 2, 1, `unknown field "sed" (did you mean seed?)`},
		{"unknown scheme key", "kind: snowflake, layout: twitter, on_clock_backward: ignore", "kind: snowflake, layout: twitter, on_clock_backwards: ignore", 7, 54, `unknown field "on_clock_backwards" (did you mean on_clock_backward?)`},
		{"unknown key in block scheme", "    max_wait: 1s", "    max_wait: 1s\n    maxwait: 2s", 13, 5, `unknown field "maxwait"`},
		{"wrong type count", "count: 8", "count: eight", 4, 18, "want a whole number"},
		{"wrong type seed", "seed: 5", "seed: [5]", 2, 7, "not a list"},
		{"wrong type workers", "workers: {count: 8}", "workers: 8", 4, 10, "workers must be a mapping"},
		{"negative rate", "per_worker: 1000/s", "per_worker: -5/s", 5, 20, "must be positive"},
		{"rate without unit", "per_worker: 1000/s", "per_worker: 1000", 5, 20, "want COUNT/UNIT"},
		{"zero workers", "count: 8", "count: 0", 4, 18, "between 1 and"},
		{"worker ID beyond the layout", "count: 8", "count: 2000", 4, 18, "do not fit"},
		{"worker ID beyond datacenter layout", "workers: {count: 8}", "workers: {count: 80, datacenters: [a, b]}", 4, 18, "node 32 of datacenter 0 needs worker ID 32 but layout twitter has 5 worker bits"},
		{"overlapping bit fields", "layout: twitter, on_clock_backward: ignore",
			"layout: {epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, time_shift: 22, worker_bits: 10, worker_shift: 10, sequence_bits: 12, sequence_shift: 0}, on_clock_backward: ignore",
			7, 187, "sequence: bits 11..0 overlap the worker field's bits 19..10"},
		{"too many bits", "layout: twitter, on_clock_backward: ignore",
			"layout: {epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 42, worker_bits: 10, sequence_bits: 12}, on_clock_backward: ignore",
			7, 97, "reach past bit 62"},
		{"custom layout missing epoch", "layout: twitter, on_clock_backward: ignore",
			"layout: {unit: 1ms, time_bits: 41, worker_bits: 10, sequence_bits: 12}, on_clock_backward: ignore", 7, 45, "needs epoch"},
		{"unknown layout", "layout: twitter, on_clock_backward: ignore", "layout: twiter, on_clock_backward: ignore", 7, 45, `unknown layout "twiter"`},
		{"unknown policy", "on_clock_backward: ignore", "on_clock_backward: retry", 7, 73, `unknown clock-backward policy "retry"`},
		{"wait without max_wait", "    max_wait: 1s\n", "", 11, 24, "needs max_wait"},
		{"max_wait with error", "on_clock_backward: ignore}", "on_clock_backward: error, max_wait: 1s}", 7, 90, "only applies to on_clock_backward: wait"},
		{"duplicate labels", "label: careful", "label: naive", 8, 12, `label "naive" is used twice`},
		{"unknown scheme kind", "kind: snowflake, layout", "kind: snowflak, layout", 7, 26, `unknown scheme kind "snowflak"`},
		{"unknown fault kind", "kind: clock_step", "kind: clock_stop", 14, 12, `unknown fault kind "clock_stop"`},
		{"key the fault kind does not take", "by: -200ms}", "by: -200ms, rate: 5/s}", 14, 67, "clock_step does not take rate"},
		{"fault missing key", ", by: -200ms}", "}", 14, 5, "clock_step needs by"},
		{"fault worker out of range", "workers: [1, 2]", "workers: [1, 9]", 14, 41, "worker 9 does not exist"},
		{"fault after the end", "at: 1s", "at: 3s", 14, 28, "outside the run"},
		{"bad duration", "at: 1s", "at: 1 second", 14, 28, "want a duration"},
		{"expect unknown label", "  naive: {duplicates", "  navie: {duplicates", 16, 3, `expect names scheme "navie"`},
		{"bad comparison", `{duplicates: ">0"}`, `{duplicates: "about 3"}`, 16, 23, "want a count or a comparison"},
		{"bad expectation key", `{duplicates: ">0"}`, `{dupes: ">0"}`, 16, 11, `unknown field "dupes"`},
		{"missing duration", "duration: 2s\n", "", 1, 1, "missing duration"},
		{"bad name", "name: base", "name: Base Scenario", 1, 7, "name \"Base Scenario\""},
		{"duplicate key", "seed: 5", "seed: 5\nseed: 6", 3, 1, `mapping key "seed" already defined`},
		{"syntax error", "workers: {count: 8}", "workers: {count: 8", 5, 1, "must be specified"},
		{"two documents", "seed: 5", "seed: 5\n---\nname: other", 1, 1, "one YAML document"},
		{"too much load", "per_worker: 1000/s", "per_worker: 1G/s", 5, 20, "limit is"},
		{"unknown worker_ids strategy", "layout: twitter, on_clock_backward: ignore}", "layout: twitter, on_clock_backward: ignore, worker_ids: {strategy: zookeeper}}", 7, 104, `unknown worker_ids strategy "zookeeper" (one of: static, ephemeral_sequential_mod, claim_lowest_free, lease)`},
		{"worker_ids key typo", "layout: twitter, on_clock_backward: ignore}", "layout: twitter, on_clock_backward: ignore, worker_ids: {strategy: lease, tll: 2s}}", 7, 111, `unknown field "tll" (did you mean ttl?)`},
		{"heartbeat not shorter than ttl", "layout: twitter, on_clock_backward: ignore}", "layout: twitter, on_clock_backward: ignore, worker_ids: {strategy: lease, ttl: 2s, heartbeat: 2s}}", 7, 131, "heartbeat must be positive and shorter than ttl (2s)"},
		{"margin too large", "layout: twitter, on_clock_backward: ignore}", "layout: twitter, on_clock_backward: ignore, worker_ids: {strategy: lease, ttl: 3s, heartbeat: 1s, safety_margin: 2s}}", 7, 150, "safety_margin 2s must be at least 0 and less than ttl - heartbeat (2s)"},
		{"margin on an unfenced strategy", "layout: twitter, on_clock_backward: ignore}", "layout: twitter, on_clock_backward: ignore, worker_ids: {strategy: claim_lowest_free, safety_margin: 1s}}", 7, 138, "safety_margin applies to strategy lease"},
		{"ttl on static IDs", "layout: twitter, on_clock_backward: ignore}", "layout: twitter, on_clock_backward: ignore, worker_ids: {ttl: 2s}}", 7, 99, "ttl applies to strategies with sessions"},
		{"worker_ids on uuidv7", "kind: snowflake, layout: twitter, on_clock_backward: ignore}", "kind: uuidv7, worker_ids: {strategy: lease}}", 7, 46, "uuidv7 does not take worker_ids"},
		{"restart repeated without every", "kind: clock_step, at: 1s, workers: [1, 2], by: -200ms}", "kind: restart, at: 1s, workers: [1], downtime: 1ms, times: 5}", 14, 65, "repeating a restart needs every"},
		{"fault no scheme can feel", "kind: clock_step, at: 1s, workers: [1, 2], by: -200ms}", "kind: db_outage, at: 1s, for: 100ms}", 14, 5, "db_outage acts only on schemes with a database"},
		{"integer too large", "seed: 5", "seed: 99999999999999999999", 2, 7, "99999999999999999999 is too large"},
		{"rate below one a day", "per_worker: 1000/s", "per_worker: 0.01/h", 5, 20, "at least one a day"},
		{"merge key in a scheme", "  - {label: naive, kind: snowflake, layout: twitter, on_clock_backward: ignore}", "  - &x {label: naive, kind: snowflake, layout: twitter, on_clock_backward: ignore}\n  - {<<: *x, label: other}", 8, 6, "merge keys (<<: *anchor) are not supported in a scheme"},
		{"partition without duration", "kind: clock_step, at: 1s, workers: [1, 2], by: -200ms}", "kind: coordinator_partition, at: 1s, workers: [1]}", 14, 5, "coordinator_partition needs for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(base, tt.old, tt.new, 1)
			if src == base {
				t.Fatalf("edit %q did not apply", tt.old)
			}
			_, err := Parse("bad.yaml", []byte(src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if e.Line != tt.line || e.Col != tt.col || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %d:%d %q\nwant %d:%d containing %q", e.Line, e.Col, e.Msg, tt.line, tt.col, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "bad.yaml:") {
				t.Errorf("error does not start with the file name: %s", err)
			}
			if lines := strings.Split(src, "\n"); e.Line <= len(lines) && e.Source != lines[e.Line-1] {
				t.Errorf("source line %q, want %q", e.Source, lines[e.Line-1])
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	_, err := Parse("f.yaml", []byte(strings.Replace(base, "count: 8", "count: -3", 1)))
	want := "f.yaml:4:18: worker count -3 must be between 1 and 100000\n" +
		"    4 | workers: {count: -3}\n" +
		"      |                  ^"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "   \n", "# only a comment\n", "- a list\n", "just a string"} {
		if _, err := Parse("e.yaml", []byte(src)); err == nil {
			t.Errorf("%q accepted", src)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, and
// every error must be an *Error with a position inside the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	for _, info := range Shipped() {
		src, _ := ShippedSource(info.Name)
		f.Add(src)
	}
	f.Add([]byte("name: x\nduration: 1s\nworkers: {count: 1}\nload: {per_worker: 1/s}\nschemes: [{label: a, kind: snowflake, layout: {epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 40, sequence_bits: 3}}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Parse("fuzz.yaml", src)
		if err == nil {
			if sc.Workers < 1 || len(sc.Schemes) == 0 || sc.Duration <= 0 {
				t.Fatalf("accepted an invalid scenario: %+v", sc)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not *Error: %v", err, err)
		}
		if e.Line < 1 || e.Col < 1 || e.Msg == "" {
			t.Fatalf("bad position or message: %+v", e)
		}
	})
}
