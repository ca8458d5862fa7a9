package spec_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"

	"github.com/idsim/idsim/spec"
)

type scalars struct {
	D spec.Duration   `yaml:"d"`
	I spec.Int        `yaml:"i"`
	F spec.Fraction   `yaml:"f"`
	R spec.Rate       `yaml:"r"`
	T spec.Time       `yaml:"t"`
	W spec.Workers    `yaml:"w"`
	C spec.Comparison `yaml:"c"`
}

// FuzzScalars feeds one value to every scalar type of the scenario
// format: none panics, an error is a *spec.Error inside the text, and a
// value that decodes is in range.
func FuzzScalars(f *testing.F) {
	for _, s := range []string{"1500ms", "-1.5s", "0", "2m", "99999999999999999999", "0.5", "1/h", "20k/s",
		"2026-01-01T00:00:00Z", "[3, 7]", "all", "\">0\"", "<=10", "[]", "{a: 1}", "~", "1e400", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if strings.ContainsAny(v, "\n\r") {
			return
		}
		for _, key := range []string{"d", "i", "f", "r", "t", "w", "c"} {
			src := key + ": " + v + "\n"
			file, err := parser.ParseBytes([]byte(src), 0)
			if err != nil || len(file.Docs) != 1 || file.Docs[0].Body == nil {
				continue
			}
			m, err := spec.NewMap(file.Docs[0].Body, "a value")
			if err != nil {
				continue
			}
			var s scalars
			err = m.Decode(&s)
			var se *spec.Error
			if err != nil {
				if errors.As(err, &se) && (se.At.Line < 1 || se.At.Line > 1) {
					t.Fatalf("%q: error at line %d of a one-line text", src, se.At.Line)
				}
				continue
			}
			if s.F.Set && (s.F.V < 0 || s.F.V > 1) {
				t.Fatalf("%q: fraction %v accepted", src, s.F.V)
			}
			if s.R.Set && s.R.V.PerSec.Sign() <= 0 {
				t.Fatalf("%q: rate %v accepted", src, s.R.V.PerSec)
			}
			if s.W.Set && !s.W.All && len(s.W.V) == 0 {
				t.Fatalf("%q: an empty worker list accepted", src)
			}
			if s.C.Set && s.C.N < 0 {
				t.Fatalf("%q: a negative count accepted", src)
			}
		}
	})
}
