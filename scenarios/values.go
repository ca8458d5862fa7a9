package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/idsim/idsim/sim"
)

// The scalar types of the scenario format. Each remembers where in the
// file it was written, so that validation errors point at the value, and
// each rejects a value of the wrong shape with an error at that place.

// pos is a 1-based line and column in a scenario file.
type pos struct{ line, col int }

func posOf(n ast.Node) pos {
	switch v := n.(type) {
	case *ast.MappingValueNode:
		return posOf(v.Key)
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return posOf(v.Values[0].Key)
		}
	}
	if n == nil || n.GetToken() == nil {
		return pos{1, 1}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

// posError is an error at a place in the file.
type posError struct {
	at  pos
	msg string
}

func (e *posError) Error() string { return fmt.Sprintf("%d:%d: %s", e.at.line, e.at.col, e.msg) }

func errAt(p pos, format string, args ...any) error {
	return &posError{p, fmt.Sprintf(format, args...)}
}

// unwrap looks through anchors and tags to the value node.
func unwrap(n ast.Node) ast.Node {
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

// scalarText returns the text of a scalar node and whether it was a
// string (quoted or plain) rather than a number or boolean.
func scalarText(n ast.Node) (text string, isString bool, err error) {
	switch v := unwrap(n).(type) {
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
		return "", false, errAt(posOf(n), "missing value")
	case *ast.MappingNode, *ast.MappingValueNode:
		return "", false, errAt(posOf(n), "want a single value here, not a mapping")
	case *ast.SequenceNode:
		return "", false, errAt(posOf(n), "want a single value here, not a list")
	default:
		return "", false, errAt(posOf(n), "want a single value here")
	}
}

// scalar is a single value of type T with where it was written. Each
// scalar type below embeds it and decodes with its own parser.
type scalar[T any] struct {
	p   pos
	set bool
	v   T
}

// decode records the node's position and parses its text; parse errors
// are reported at the node.
func (s *scalar[T]) decode(n ast.Node, parse func(text string, isString bool) (T, error)) error {
	s.p, s.set = posOf(n), true
	t, isString, err := scalarText(n)
	if err != nil {
		return err
	}
	v, err := parse(t, isString)
	if err != nil {
		return errAt(s.p, "%v", err)
	}
	s.v = v
	return nil
}

// text is a string value.
type text struct{ scalar[string] }

func (s *text) UnmarshalYAML(n ast.Node) error {
	return s.decode(n, func(t string, isString bool) (string, error) {
		if !isString {
			return "", fmt.Errorf("want a string, got %s", t)
		}
		return t, nil
	})
}

// integer is a whole number.
type integer struct{ scalar[int64] }

func (i *integer) UnmarshalYAML(n ast.Node) error {
	return i.decode(n, func(t string, isString bool) (int64, error) {
		if isString {
			return 0, fmt.Errorf("want a whole number, got the string %q", t)
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 0, 64)
		if err != nil {
			return 0, fmt.Errorf("want a whole number, got %s", t)
		}
		return v, nil
	})
}

// boolean is true or false.
type boolean struct{ scalar[bool] }

func (b *boolean) UnmarshalYAML(n ast.Node) error {
	v, ok := unwrap(n).(*ast.BoolNode)
	return b.decode(n, func(t string, _ bool) (bool, error) {
		if !ok {
			return false, fmt.Errorf("want true or false, got %s", t)
		}
		return v.Value, nil
	})
}

// fraction is a number between 0 and 1, such as 0.5.
type fraction struct{ scalar[float64] }

func (f *fraction) UnmarshalYAML(n ast.Node) error {
	return f.decode(n, func(t string, isString bool) (float64, error) {
		v, err := strconv.ParseFloat(t, 64)
		if isString || err != nil || v < 0 || v > 1 {
			return 0, fmt.Errorf("want a fraction between 0 and 1, such as 0.5; got %s", t)
		}
		return v, nil
	})
}

// duration is a Go duration string such as "1500ms", "-1.5s" or "2m";
// a bare 0 is accepted.
type duration struct{ scalar[time.Duration] }

func (d *duration) UnmarshalYAML(n ast.Node) error {
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

// rate is a rate such as "20000/s"; see sim.ParseRate.
type rate struct{ scalar[sim.Rate] }

func (r *rate) UnmarshalYAML(n ast.Node) error {
	return r.decode(n, func(t string, _ bool) (sim.Rate, error) { return sim.ParseRate(t) })
}

// timestamp is an RFC 3339 time such as 2026-01-01T00:00:00Z.
type timestamp struct{ scalar[time.Time] }

func (ts *timestamp) UnmarshalYAML(n ast.Node) error {
	return ts.decode(n, func(t string, _ bool) (time.Time, error) {
		v, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return time.Time{}, fmt.Errorf("want an RFC 3339 time such as 2026-01-01T00:00:00Z, got %q", t)
		}
		return v.UTC(), nil
	})
}

// list is a YAML sequence of T with where it was written.
type list[T any] struct {
	p   pos
	set bool
	v   []T
}

// decode records the position and decodes each item with elem; what
// names the list in the error for a non-list. A null (a key with nothing
// after it) is an empty list when allowNull.
func (l *list[T]) decode(n ast.Node, what string, allowNull bool, elem func(item ast.Node) (T, error)) error {
	l.p, l.set = posOf(n), true
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		if _, isNull := unwrap(n).(*ast.NullNode); isNull && allowNull {
			return nil
		}
		return errAt(l.p, "%s", what)
	}
	for _, item := range seq.Values {
		v, err := elem(item)
		if err != nil {
			return err
		}
		l.v = append(l.v, v)
	}
	return nil
}

// textList is a list of strings.
type textList struct{ list[string] }

func (l *textList) UnmarshalYAML(n ast.Node) error {
	return l.decode(n, "want a list of names such as [us-east, eu-west]", false, func(item ast.Node) (string, error) {
		var s text
		err := s.UnmarshalYAML(item)
		return s.v, err
	})
}

// workerList is a list of worker indexes, or the word all.
type workerList struct {
	p   pos
	set bool
	all bool
	v   []int
}

func (w *workerList) UnmarshalYAML(n ast.Node) error {
	w.p, w.set = posOf(n), true
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		t, isString, err := scalarText(n)
		if err != nil {
			return err
		}
		if isString && t == "all" {
			w.all = true
			return nil
		}
		return errAt(w.p, "want a list of worker indexes such as [3, 7], or all; got %s", t)
	}
	for _, item := range seq.Values {
		var i integer
		if err := i.UnmarshalYAML(item); err != nil {
			return err
		}
		if i.v < 0 || i.v > math.MaxInt32 {
			return errAt(i.p, "worker index %d out of range", i.v)
		}
		w.v = append(w.v, int(i.v))
	}
	if len(w.v) == 0 {
		return errAt(w.p, "empty worker list; write all for every worker")
	}
	return nil
}

// comparison is an expected count: a number (exactly that many) or a
// string such as ">0", ">= 10", "<5", "!=0".
type comparison struct {
	p   pos
	set bool
	op  string
	n   int64
}

var cmpOps = []string{">=", "<=", "==", "!=", ">", "<"}

func (c *comparison) UnmarshalYAML(n ast.Node) error {
	c.p, c.set = posOf(n), true
	t, isString, err := scalarText(n)
	if err != nil {
		return err
	}
	c.op = "=="
	expr := strings.TrimSpace(t)
	if isString {
		found := false
		for _, op := range cmpOps {
			if strings.HasPrefix(expr, op) {
				c.op, expr, found = op, strings.TrimSpace(expr[len(op):]), true
				break
			}
		}
		if !found {
			return errAt(c.p, "want a count or a comparison such as \">0\" or \"<=10\", got %q", t)
		}
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(expr, "_", ""), 10, 64)
	if err != nil || v < 0 {
		return errAt(c.p, "want a count or a comparison such as \">0\" or \"<=10\", got %q", t)
	}
	c.n = v
	return nil
}

// String renders the comparison as written, normalised.
func (c comparison) String() string {
	if c.op == "==" {
		return strconv.FormatInt(c.n, 10)
	}
	return c.op + strconv.FormatInt(c.n, 10)
}

// holds reports whether got satisfies the comparison.
func (c comparison) holds(got int64) bool {
	switch c.op {
	case ">=":
		return got >= c.n
	case "<=":
		return got <= c.n
	case "!=":
		return got != c.n
	case ">":
		return got > c.n
	case "<":
		return got < c.n
	}
	return got == c.n
}
