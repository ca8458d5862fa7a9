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

// text is a string value.
type text struct {
	p   pos
	set bool
	v   string
}

func (s *text) UnmarshalYAML(n ast.Node) error {
	s.p, s.set = posOf(n), true
	t, isString, err := scalarText(n)
	if err != nil {
		return err
	}
	if !isString {
		return errAt(s.p, "want a string, got %s", t)
	}
	s.v = t
	return nil
}

// integer is a whole number.
type integer struct {
	p   pos
	set bool
	v   int64
}

func (i *integer) UnmarshalYAML(n ast.Node) error {
	i.p, i.set = posOf(n), true
	t, isString, err := scalarText(n)
	if err != nil {
		return err
	}
	if isString {
		return errAt(i.p, "want a whole number, got the string %q", t)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 0, 64)
	if err != nil {
		return errAt(i.p, "want a whole number, got %s", t)
	}
	i.v = v
	return nil
}

// boolean is true or false.
type boolean struct {
	p   pos
	set bool
	v   bool
}

func (b *boolean) UnmarshalYAML(n ast.Node) error {
	b.p, b.set = posOf(n), true
	v, ok := unwrap(n).(*ast.BoolNode)
	if !ok {
		t, _, err := scalarText(n)
		if err != nil {
			return err
		}
		return errAt(b.p, "want true or false, got %s", t)
	}
	b.v = v.Value
	return nil
}

// duration is a Go duration string such as "1500ms", "-1.5s" or "2m";
// a bare 0 is accepted.
type duration struct {
	p   pos
	set bool
	v   time.Duration
}

func (d *duration) UnmarshalYAML(n ast.Node) error {
	d.p, d.set = posOf(n), true
	t, _, err := scalarText(n)
	if err != nil {
		return err
	}
	if t == "0" {
		return nil
	}
	v, err := time.ParseDuration(t)
	if err != nil {
		return errAt(d.p, "want a duration with a unit, such as 1500ms, -1.5s or 2m; got %q", t)
	}
	d.v = v
	return nil
}

// rate is a rate such as "20000/s"; see sim.ParseRate.
type rate struct {
	p   pos
	set bool
	v   sim.Rate
}

func (r *rate) UnmarshalYAML(n ast.Node) error {
	r.p, r.set = posOf(n), true
	t, _, err := scalarText(n)
	if err != nil {
		return err
	}
	v, err := sim.ParseRate(t)
	if err != nil {
		return errAt(r.p, "%v", err)
	}
	r.v = v
	return nil
}

// timestamp is an RFC 3339 time such as 2026-01-01T00:00:00Z.
type timestamp struct {
	p   pos
	set bool
	v   time.Time
}

func (ts *timestamp) UnmarshalYAML(n ast.Node) error {
	ts.p, ts.set = posOf(n), true
	t, _, err := scalarText(n)
	if err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		return errAt(ts.p, "want an RFC 3339 time such as 2026-01-01T00:00:00Z, got %q", t)
	}
	ts.v = v.UTC()
	return nil
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

// textList is a list of strings.
type textList struct {
	p   pos
	set bool
	v   []string
}

func (l *textList) UnmarshalYAML(n ast.Node) error {
	l.p, l.set = posOf(n), true
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		return errAt(l.p, "want a list of names such as [us-east, eu-west]")
	}
	for _, item := range seq.Values {
		var s text
		if err := s.UnmarshalYAML(item); err != nil {
			return err
		}
		l.v = append(l.v, s.v)
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
