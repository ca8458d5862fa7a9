package main

import (
	"fmt"
	"strings"
	"testing"
)

const sample = `package p

func f(a, b int) (int, error) {
	if a < b {
		a++
	}
	if a == 0 {
		return 0, nil
	}
	x := a + 1
	return x, nil
}

func g(err error) (int, error) {
	return 1 + 2, err
}
`

// The mutants of a small function, each applied, in source order; a
// return beside an error is left alone.
func TestGenerate(t *testing.T) {
	ms, err := generate("p.go", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Desc)
		out := string(m.apply([]byte(sample)))
		if out == sample {
			t.Errorf("%s:%d %s changes nothing", m.File, m.Line, m.Desc)
		}
		if strings.Count(out, "\n") != strings.Count(sample, "\n") {
			t.Errorf("%s moves lines", m.Desc)
		}
	}
	want := []string{
		"negate if condition", `"<" -> "<="`, `delete "a++"`, `"++" -> "--"`,
		`"==" -> "!="`, `0 -> 1`, `delete "return 0, nil"`, `0 -> 1`,
		`"+" -> "-"`, `1 -> 0`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mutants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	neg := ms[0].apply([]byte(sample))
	if !strings.Contains(string(neg), "if !(a < b) {") {
		t.Errorf("negated if:\n%s", neg)
	}
}

func TestOnlyFiles(t *testing.T) {
	got := onlyFiles("sim/audit/nodes.go:47,sim/audit/nodes.go:51,sim/check/unique.go,,x.go:3")
	want := []string{"sim/audit/nodes.go", "sim/check/unique.go", "x.go"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("onlyFiles = %v, want %v", got, want)
	}
}

func TestEquivalentReason(t *testing.T) {
	eq := map[string]string{
		"a.go\tfunc f: return err\tdelete \"return err\"": "in f",
		"a.go\tx++\t\"++\" -> \"--\"":                     "anywhere",
		"a.go\tfunc T.g\t*":                               "all of T.g",
	}
	for _, tt := range []struct {
		m    mutant
		want string
	}{
		{mutant{File: "a.go", Func: "f", Code: "return err", Desc: `delete "return err"`}, "in f"},
		{mutant{File: "a.go", Func: "h", Code: "return err", Desc: `delete "return err"`}, ""},
		{mutant{File: "a.go", Func: "h", Code: "x++", Desc: `"++" -> "--"`}, "anywhere"},
		{mutant{File: "a.go", Func: "T.g", Code: "y := 1", Desc: "1 -> 0"}, "all of T.g"},
		{mutant{File: "b.go", Func: "f", Code: "return err", Desc: `delete "return err"`}, ""},
	} {
		if why, ok := equivalentReason(eq, tt.m); why != tt.want || ok != (tt.want != "") {
			t.Errorf("%+v: %q %v, want %q", tt.m, why, ok, tt.want)
		}
	}
}
