package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const small = "name: s\nduration: 2s\nworkers: {count: 4}\nload: {per_worker: 1000/s}\nschemes:\n  - {label: a, kind: uuidv4}\n"

// TestHostileScenariosRefused checks that each scenario asking for more
// than the machine could hold is refused when loaded, at the line that
// asks, before anything runs.
func TestHostileScenariosRefused(t *testing.T) {
	nested := "name: n\nx: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n"
	block := "name: n\n"
	for i := range 40 {
		block += strings.Repeat("  ", i) + fmt.Sprintf("k%d:\n", i)
	}
	many := func(n int, entry string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  - "+entry+"\n", i)
		}
		return b.String()
	}
	for _, tt := range []struct {
		name, src string
		line, col int
		want      string
	}{
		{"flood", small + "faults:\n  - {kind: sequence_flood, at: 1s, for: 500ms, workers: all, rate: 1000000000000/s}\n", 8, 5, "from sequence_flood#1"},
		{"base load", strings.Replace(small, "1000/s", "1000000000/s", 1), 4, 20, "from the base load"},
		{"restart storm", strings.Replace(small, "count: 4", "count: 100000", 1) + "faults:\n  - {kind: restart, at: 1s, workers: all, downtime: 0s, times: 1000000, every: 1ns}\n", 8, 5, "restarts workers 1e+11 times"},
		{"nested brackets", nested, 2, 0, "nests deeper than"},
		{"nested blocks", block, 0, 0, "nests deeper than"},
		{"schemes", strings.Replace(small, "  - {label: a, kind: uuidv4}\n", many(101, "{label: s%d, kind: uuidv4}"), 1), 6, 0, "at most 100"},
		{"faults", small + "faults:\n" + many(10_001, "{kind: pause, at: 1s, for: 1ms, workers: [%d]}"), 8, 0, "at most 10000"},
		{"description", strings.Replace(small, "name: s\n", "name: s\ndescription: "+strings.Repeat("x", 70_000)+"\n", 1), 2, 0, "at most 65536"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("h.yaml", []byte(tt.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if !strings.Contains(e.Msg, tt.want) || tt.line > 0 && e.Line != tt.line || tt.col > 0 && e.Col != tt.col {
				t.Errorf("got %d:%d %s\nwant %d:%d containing %q", e.Line, e.Col, e.Msg, tt.line, tt.col, tt.want)
			}
		})
	}
}

// TestBudget checks that a run needing more memory than its budget is
// refused before it starts, saying how much it needs and how to raise
// the budget, and that the estimate counts floods.
func TestBudget(t *testing.T) {
	sc, err := Parse("b.yaml", []byte(small+"faults:\n  - {kind: sequence_flood, at: 1s, for: 500ms, workers: [1], rate: 2000000/s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := sc.Estimate()
	if want := 4*1000*2.0 + 2e6*0.5; e.IDs != want || e.Driver != "sequence_flood#1" || e.At.Line != 8 {
		t.Errorf("estimate %+v, want %g IDs driven by the flood on line 8", e, want)
	}
	_, err = Run(sc, Options{MaxMemory: 1e6})
	var be *BudgetError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "--max-memory") || !strings.Contains(err.Error(), "line 8") {
		t.Fatalf("got %v, want a BudgetError naming the flag and the line", err)
	}
	if _, err := Run(sc, Options{MaxMemory: 1e9}); err != nil {
		t.Fatalf("within the budget: %v", err)
	}
	for s, want := range map[string]float64{"4G": 4e9, "512MiB": 512 << 20, "1000": 1000, "1.5T": 1.5e12, "10MB": 1e7, "2GB": 2e9} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1G", "lots", "0", "NaN"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("ParseBytes(%q) accepted", s)
		}
	}
}

// TestDepthNotFooledByPlainText checks that an apostrophe or a hash in
// plain text does not hide brackets from the depth check, and that
// brackets inside quotes and comments do not count.
func TestDepthNotFooledByPlainText(t *testing.T) {
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	for _, src := range []string{
		"description: it's\nx: " + deep + "\n",
		"description: a#b\nx: " + deep + "\n",
		"x: \"q\" " + deep + "\n",
	} {
		if err := checkDepth([]byte(src)); err == nil {
			t.Errorf("accepted %q", src[:30])
		}
	}
	for _, src := range []string{
		"x: '" + deep + "'\n",
		"# " + deep + "\n",
		"x: \"" + deep + "\"\n",
	} {
		if err := checkDepth([]byte(src)); err != nil {
			t.Errorf("refused %q: %v", src[:10], err)
		}
	}
}
