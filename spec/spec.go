// Package spec holds the values of idsim's scenario format as they were
// written: each scalar remembers its line and column, so that validation
// errors can point at the offending value, and each rejects a value of
// the wrong shape with an error at that place.
//
// Scheme kinds and fault kinds read their own keys with these types: a
// kind declares a struct whose fields are spec values tagged with their
// YAML keys and decodes its part of the file into it with Map.Decode.
//
//	type config struct {
//		Layout  spec.Text     `yaml:"layout"`
//		MaxWait spec.Duration `yaml:"max_wait"`
//	}
//	var c config
//	if err := m.Decode(&c); err != nil { ... }
//	if c.MaxWait.Set && c.MaxWait.V <= 0 {
//		return spec.Errorf(c.MaxWait.P, "max_wait must be positive")
//	}
package spec

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/idsim/idsim/sim"
)

// Pos is a 1-based line and column in a scenario file.
type Pos struct{ Line, Col int }

// PosOf returns where node n starts; a block mapping starts at its first
// key.
func PosOf(n ast.Node) Pos {
	switch v := n.(type) {
	case *ast.MappingValueNode:
		return PosOf(v.Key)
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return PosOf(v.Values[0].Key)
		}
	}
	if n == nil || n.GetToken() == nil {
		return Pos{1, 1}
	}
	p := n.GetToken().Position
	return Pos{p.Line, p.Column}
}

// Error is an error at a place in a scenario file. The scenario loader
// turns it into "file:line:column: message" with the offending line.
type Error struct {
	At  Pos
	Msg string
}

// Error renders "line:col: message".
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.At.Line, e.At.Col, e.Msg) }

// Errorf returns an *Error at p.
func Errorf(p Pos, format string, args ...any) error {
	return &Error{p, fmt.Sprintf(format, args...)}
}

// Unwrap looks through anchors and tags to the value node.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// DecodeStrict decodes n into v, rejecting unknown keys.
func DecodeStrict(n ast.Node, v any) error {
	return yaml.NodeToValue(n, v, yaml.Strict())
}

// Mapping checks that n is a mapping and returns its position; what
// names it in the error otherwise.
func Mapping(n ast.Node, what string) (Pos, error) {
	p := PosOf(n)
	switch Unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return p, nil
	case *ast.NullNode:
		return p, Errorf(p, "%s is empty", what)
	}
	return p, Errorf(p, "%s must be a mapping of keys to values", what)
}

// ScalarText returns the text of a scalar node and whether it was a
// string (quoted or plain) rather than a number or boolean.
func ScalarText(n ast.Node) (text string, isString bool, err error) {
	switch v := Unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value, true, nil
	case *ast.LiteralNode:
		return v.Value.Value, true, nil
	case *ast.IntegerNode:
		return v.GetToken().Value, false, nil
	case *ast.FloatNode:
		return v.GetToken().Value, false, nil
	case *ast.BoolNode:
		return v.GetToken().Value, false, nil
	case *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, false, nil
	case *ast.NullNode:
		return "", false, Errorf(PosOf(n), "missing value")
	case *ast.MappingNode, *ast.MappingValueNode:
		return "", false, Errorf(PosOf(n), "want a single value here, not a mapping")
	case *ast.SequenceNode:
		return "", false, Errorf(PosOf(n), "want a single value here, not a list")
	default:
		return "", false, Errorf(PosOf(n), "want a single value here")
	}
}

// Scalar is a single value of type T with where it was written: V is
// the value, P its position, Set whether the key was given at all.
type Scalar[T any] struct {
	P   Pos
	Set bool
	V   T
}

// decode records the node's position and parses its text; parse errors
// are reported at the node.
func (s *Scalar[T]) decode(n ast.Node, parse func(text string, isString bool) (T, error)) error {
	s.P, s.Set = PosOf(n), true
	t, isString, err := ScalarText(n)
	if err != nil {
		return err
	}
	v, err := parse(t, isString)
	if err != nil {
		return Errorf(s.P, "%v", err)
	}
	s.V = v
	return nil
}

// Text is a string value.
type Text struct{ Scalar[string] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (s *Text) UnmarshalYAML(n ast.Node) error {
	return s.decode(n, func(t string, isString bool) (string, error) {
		if !isString {
			return "", fmt.Errorf("want a string, got %s", t)
		}
		return t, nil
	})
}

// Int is a whole number.
type Int struct{ Scalar[int64] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (i *Int) UnmarshalYAML(n ast.Node) error {
	return i.decode(n, func(t string, isString bool) (int64, error) {
		if isString {
			if wholeNumber(t) {
				return 0, fmt.Errorf("%s is too large: a whole number here is at most %d", t, math.MaxInt64)
			}
			return 0, fmt.Errorf("want a whole number, got the string %q", t)
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 0, 64)
		if err != nil {
			return 0, fmt.Errorf("want a whole number, got %s", t)
		}
		return v, nil
	})
}

// wholeNumber reports whether t is written as a whole number (the YAML
// library hands integers too large for int64 over as strings).
func wholeNumber(t string) bool {
	t = strings.TrimPrefix(t, "-")
	if t == "" {
		return false
	}
	for _, c := range t {
		if (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Bool is true or false.
type Bool struct{ Scalar[bool] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (b *Bool) UnmarshalYAML(n ast.Node) error {
	v, ok := Unwrap(n).(*ast.BoolNode)
	return b.decode(n, func(t string, _ bool) (bool, error) {
		if !ok {
			return false, fmt.Errorf("want true or false, got %s", t)
		}
		return v.Value, nil
	})
}

// Fraction is a number between 0 and 1, such as 0.5.
type Fraction struct{ Scalar[float64] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (f *Fraction) UnmarshalYAML(n ast.Node) error {
	return f.decode(n, func(t string, isString bool) (float64, error) {
		v, err := strconv.ParseFloat(t, 64)
		if isString || err != nil || v < 0 || v > 1 {
			return 0, fmt.Errorf("want a fraction between 0 and 1, such as 0.5; got %s", t)
		}
		return v, nil
	})
}

// Duration is a Go duration string such as "1500ms", "-1.5s" or "2m";
// a bare 0 is accepted.
type Duration struct{ Scalar[time.Duration] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	return d.decode(n, func(t string, _ bool) (time.Duration, error) {
		if t == "0" {
			return 0, nil
		}
		v, err := time.ParseDuration(t)
		if err != nil {
			return 0, fmt.Errorf("want a duration with a unit, such as 1500ms, -1.5s or 2m; got %q", t)
		}
		return v, nil
	})
}

// Rate is a rate such as "20000/s"; see sim.ParseRate.
type Rate struct{ Scalar[sim.Rate] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (r *Rate) UnmarshalYAML(n ast.Node) error {
	return r.decode(n, func(t string, _ bool) (sim.Rate, error) { return sim.ParseRate(t) })
}

// Time is an RFC 3339 time such as 2026-01-01T00:00:00Z.
type Time struct{ Scalar[time.Time] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (ts *Time) UnmarshalYAML(n ast.Node) error {
	return ts.decode(n, func(t string, _ bool) (time.Time, error) {
		v, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return time.Time{}, fmt.Errorf("want an RFC 3339 time such as 2026-01-01T00:00:00Z, got %q", t)
		}
		return v.UTC(), nil
	})
}

// List is a YAML sequence of T with where it was written.
type List[T any] struct {
	P   Pos
	Set bool
	V   []T
}

// Decode records the position and decodes each item with elem; what
// names the list in the error for a non-list. A null (a key with nothing
// after it) is an empty list when allowNull.
func (l *List[T]) Decode(n ast.Node, what string, allowNull bool, elem func(item ast.Node) (T, error)) error {
	l.P, l.Set = PosOf(n), true
	seq, ok := Unwrap(n).(*ast.SequenceNode)
	if !ok {
		if _, isNull := Unwrap(n).(*ast.NullNode); isNull && allowNull {
			return nil
		}
		return Errorf(l.P, "%s", what)
	}
	for _, item := range seq.Values {
		v, err := elem(item)
		if err != nil {
			return err
		}
		l.V = append(l.V, v)
	}
	return nil
}

// TextList is a list of strings.
type TextList struct{ List[string] }

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (l *TextList) UnmarshalYAML(n ast.Node) error {
	return l.Decode(n, "want a list of names such as [us-east, eu-west]", false, func(item ast.Node) (string, error) {
		var s Text
		err := s.UnmarshalYAML(item)
		return s.V, err
	})
}

// Workers is a list of worker indexes, or the word all.
type Workers struct {
	P   Pos
	Set bool
	All bool
	V   []int
}

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (w *Workers) UnmarshalYAML(n ast.Node) error {
	w.P, w.Set = PosOf(n), true
	seq, ok := Unwrap(n).(*ast.SequenceNode)
	if !ok {
		t, isString, err := ScalarText(n)
		if err != nil {
			return err
		}
		if isString && t == "all" {
			w.All = true
			return nil
		}
		return Errorf(w.P, "want a list of worker indexes such as [3, 7], or all; got %s", t)
	}
	for _, item := range seq.Values {
		var i Int
		if err := i.UnmarshalYAML(item); err != nil {
			return err
		}
		if i.V < 0 || i.V > math.MaxInt32 {
			return Errorf(i.P, "worker index %d out of range", i.V)
		}
		w.V = append(w.V, int(i.V))
	}
	if len(w.V) == 0 {
		return Errorf(w.P, "empty worker list; write all for every worker")
	}
	return nil
}

// Comparison is an expected count: a number (exactly that many) or a
// string such as ">0", ">= 10", "<5", "!=0".
type Comparison struct {
	P   Pos
	Set bool
	// Op is one of ==, !=, >, >=, <, <=.
	Op string
	N  int64
}

var cmpOps = []string{">=", "<=", "==", "!=", ">", "<"}

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (c *Comparison) UnmarshalYAML(n ast.Node) error {
	c.P, c.Set = PosOf(n), true
	t, isString, err := ScalarText(n)
	if err != nil {
		return err
	}
	c.Op = "=="
	expr := strings.TrimSpace(t)
	if isString {
		found := false
		for _, op := range cmpOps {
			if strings.HasPrefix(expr, op) {
				c.Op, expr, found = op, strings.TrimSpace(expr[len(op):]), true
				break
			}
		}
		if !found {
			return Errorf(c.P, "want a count or a comparison such as \">0\" or \"<=10\", got %q", t)
		}
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(expr, "_", ""), 10, 64)
	if err != nil || v < 0 {
		return Errorf(c.P, "want a count or a comparison such as \">0\" or \"<=10\", got %q", t)
	}
	c.N = v
	return nil
}

// String renders the comparison as written, normalised.
func (c Comparison) String() string {
	if c.Op == "==" {
		return strconv.FormatInt(c.N, 10)
	}
	return c.Op + strconv.FormatInt(c.N, 10)
}

// Holds reports whether got satisfies the comparison.
func (c Comparison) Holds(got int64) bool {
	switch c.Op {
	case ">=":
		return got >= c.N
	case "<=":
		return got <= c.N
	case "!=":
		return got != c.N
	case ">":
		return got > c.N
	case "<":
		return got < c.N
	}
	return got == c.N
}
