package spec

import (
	"slices"

	"github.com/goccy/go-yaml/ast"
)

// Map is a YAML mapping as written: its keys in file order with where
// each was written. A scheme or fault kind receives the keys of its entry
// as a Map (without label and kind, which the loader reads) and decodes
// them into a struct of its own with Decode.
type Map struct {
	// P is where the mapping starts.
	P       Pos
	node    ast.Node
	entries []*ast.MappingValueNode
}

// Key is one key of a Map: its name, where the key is written (P) and
// where its value is (ValueP), the place to point at when the value is
// wrong or not wanted.
type Key struct {
	Name      string
	P, ValueP Pos
}

// NewMap reads n as a mapping; what names it in the error when it is
// not one ("a scheme", "a fault").
func NewMap(n ast.Node, what string) (*Map, error) {
	p, err := Mapping(n, what)
	if err != nil {
		return nil, err
	}
	m := &Map{P: p, node: Unwrap(n)}
	switch v := m.node.(type) {
	case *ast.MappingNode:
		m.entries = v.Values
	case *ast.MappingValueNode:
		m.entries = []*ast.MappingValueNode{v}
	}
	for _, e := range m.entries {
		if keyName(e) == "<<" {
			return nil, Errorf(PosOf(e.Key), "merge keys (<<: *anchor) are not supported in %s: write its keys out", what)
		}
	}
	return m, nil
}

// Keys returns the keys in file order.
func (m *Map) Keys() []Key {
	keys := make([]Key, 0, len(m.entries))
	for _, e := range m.entries {
		keys = append(keys, Key{Name: keyName(e), P: PosOf(e.Key), ValueP: PosOf(e.Value)})
	}
	return keys
}

// Value returns the value node of key, or nil if the mapping lacks it.
func (m *Map) Value(key string) ast.Node {
	for _, e := range m.entries {
		if keyName(e) == key {
			return e.Value
		}
	}
	return nil
}

// Without returns the mapping less the given keys, at the same position.
func (m *Map) Without(keys ...string) *Map {
	out := &Map{P: m.P, node: m.node}
	for _, e := range m.entries {
		if !slices.Contains(keys, keyName(e)) {
			out.entries = append(out.entries, e)
		}
	}
	return out
}

// Decode decodes the mapping strictly into v, a pointer to a struct of
// spec values with yaml tags: a key v has no field for is an error at the
// key, a value of the wrong shape an error at the value.
func (m *Map) Decode(v any) error {
	var node ast.Node
	switch n := m.node.(type) {
	case *ast.MappingNode:
		c := *n
		c.Values = m.entries
		node = &c
	case *ast.MappingValueNode:
		if len(m.entries) == 0 {
			node = ast.Mapping(n.GetToken(), true)
		} else {
			node = n
		}
	}
	return DecodeStrict(node, v)
}

func keyName(e *ast.MappingValueNode) string {
	if e.Key == nil || e.Key.GetToken() == nil {
		return ""
	}
	return e.Key.GetToken().Value
}
