package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/expect"
	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/spec"
)

// KindInfo describes a scheme kind for help texts.
type KindInfo struct {
	Kind, Keys, Summary string
}

// SchemeKinds lists the registered scheme kinds a scenario can use, with
// the keys each takes besides label and kind.
func SchemeKinds() []KindInfo {
	var out []KindInfo
	for _, k := range kind.All() {
		out = append(out, KindInfo{Kind: k.Name(), Keys: strings.Join(k.Keys(), ", "), Summary: k.Summary()})
	}
	return out
}

func kindNames() string { return strings.Join(kind.Names(), ", ") }

// schemeKey reports whether some registered kind takes key.
func schemeKey(key string) bool {
	for _, k := range kind.All() {
		if slices.Contains(k.Keys(), key) {
			return true
		}
	}
	return false
}

func validateSchemes(f *fileSpec, sc *Scenario, dir string) error {
	if !f.Schemes.Set || len(f.Schemes.V) == 0 {
		return errAt(orPos(f.Schemes.P, f.Schemes.Set), "missing schemes: list at least one, each with a label and a kind (one of: %s)", kindNames())
	}
	env := kind.Env{
		Workers: sc.Workers, WorkersPos: f.Workers.Count.P, Identities: sc.Identities(),
		Datacenters: len(sc.Datacenters), Network: sc.Network, Dir: dir,
	}
	for _, s := range f.Schemes.V {
		m, err := spec.NewMap(s.node, "a scheme")
		if err != nil {
			return err
		}
		var label, kindName text
		for _, kv := range []struct {
			key string
			v   *text
		}{{"label", &label}, {"kind", &kindName}} {
			if n := m.Value(kv.key); n != nil {
				if err := kv.v.UnmarshalYAML(n); err != nil {
					return err
				}
			}
		}
		if !label.Set || label.V == "" {
			return errAt(s.P, "scheme needs a label: the name its row has in the report")
		}
		if !nameRE.MatchString(label.V) {
			return errAt(label.P, "label %q: use lower case letters, digits, '.', '_' and '-'", label.V)
		}
		for _, prev := range sc.Schemes {
			if prev.Label == label.V {
				return errAt(label.P, "label %q is used twice (first on line %d)", label.V, prev.Line)
			}
		}
		if !kindName.Set {
			return errAt(s.P, "scheme %q needs a kind (one of: %s)", label.V, kindNames())
		}
		k, known := kind.Lookup(kindName.V)
		if !known {
			return errAt(kindName.P, "unknown scheme kind %q (one of: %s)", kindName.V, kindNames())
		}
		keys := k.Keys()
		for _, key := range m.Keys() {
			if key.Name == "label" || key.Name == "kind" || slices.Contains(keys, key.Name) {
				continue
			}
			if !schemeKey(key.Name) {
				msg := fmt.Sprintf("unknown field %q", key.Name)
				if s := suggest(key.Name); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				return errAt(key.P, "%s", msg)
			}
			takes := "only label and kind"
			if len(keys) > 0 {
				takes = strings.Join(keys, ", ")
			}
			return errAt(key.ValueP, "%s does not take %s (it takes %s)", kindName.V, key.Name, takes)
		}
		env.Label, env.Line = label.V, s.P.Line
		sch, err := k.Parse(m.Without("label", "kind"), env)
		if err != nil {
			return err
		}
		sc.Schemes = append(sc.Schemes, Scheme{
			Label: label.V, Kind: kindName.V, Line: s.P.Line,
			Config: sch.Describe(), IDBits: sch.IDBits(), Ordered: sch.Ordered(), Sim: sch,
		})
	}
	return nil
}

// faultKinds lists the kinds in catalogue order.
func faultKinds() []string {
	var ks []string
	for _, k := range faults.Kinds() {
		ks = append(ks, k.Kind)
	}
	return ks
}

// faultKey reports whether some fault kind takes key.
func faultKey(key string) bool {
	for _, k := range faults.Kinds() {
		if slices.Contains(k.Keys, key) {
			return true
		}
	}
	return false
}

func validateFaults(f *fileSpec, sc *Scenario) error {
	env := faults.Env{Workers: sc.Workers, Duration: sc.Duration}
	for i, fs := range f.Faults.V {
		m, err := spec.NewMap(fs.node, "a fault")
		if err != nil {
			return err
		}
		var kindName text
		if n := m.Value("kind"); n != nil {
			if err := kindName.UnmarshalYAML(n); err != nil {
				return err
			}
		}
		if !kindName.Set {
			return errAt(fs.P, "fault needs a kind (one of: %s)", strings.Join(faultKinds(), ", "))
		}
		k, ok := faults.Lookup(kindName.V)
		if !ok {
			return errAt(kindName.P, "unknown fault kind %q (one of: %s)", kindName.V, strings.Join(faultKinds(), ", "))
		}
		given := map[string]pos{}
		for _, key := range m.Keys() {
			if key.Name == "kind" {
				continue
			}
			if !slices.Contains(k.Keys, key.Name) {
				if !faultKey(key.Name) {
					msg := fmt.Sprintf("unknown field %q", key.Name)
					if s := suggest(key.Name); s != "" {
						msg += fmt.Sprintf(" (did you mean %s?)", s)
					}
					return errAt(key.P, "%s", msg)
				}
				return errAt(key.ValueP, "%s does not take %s (it takes %s)", k.Kind, key.Name, strings.Join(k.Keys, ", "))
			}
			given[key.Name] = key.ValueP
		}
		for _, name := range k.Required {
			if _, ok := given[name]; !ok {
				return errAt(fs.P, "%s needs %s (it takes %s)", k.Kind, name, strings.Join(k.Keys, ", "))
			}
		}
		fault, err := k.Parse(m.Without("kind"))
		if err != nil {
			return err
		}
		if err := fault.Validate(env); err != nil {
			at := fs.P
			var fe *faults.FieldError
			if errors.As(err, &fe) {
				if p, ok := given[fe.Field]; ok {
					at = p
				}
				return errAt(at, "%s: %s", k.Kind, fe.Msg)
			}
			return errAt(at, "%s: %v", k.Kind, err)
		}
		if sel, ok := fault.(faults.Selective); ok {
			var labels []string
			applies := false
			for _, s := range sc.Schemes {
				labels = append(labels, s.Label)
				applies = applies || sel.AppliesTo(s.Sim)
			}
			if !applies {
				return errAt(fs.P, "%s acts only on schemes with %s, and no scheme of this scenario (%s) has one: it would do nothing", k.Kind, sel.Needs(), strings.Join(labels, ", "))
			}
		}
		sc.Faults = append(sc.Faults, Fault{ID: fmt.Sprintf("%s#%d", k.Kind, i+1), Line: fs.P.Line, Fault: fault})
	}
	return nil
}

func validateExpect(f *fileSpec, sc *Scenario) error {
	var labels []string
	for _, s := range sc.Schemes {
		labels = append(labels, s.Label)
	}
	seen := map[string]bool{}
	for _, e := range f.Expect.entries {
		i := -1
		for k, s := range sc.Schemes {
			if s.Label == e.label.V {
				i = k
			}
		}
		if i < 0 {
			return errAt(e.label.P, "expect names scheme %q, which the scenario does not have (it has %s)", e.label.V, strings.Join(labels, ", "))
		}
		if seen[e.label.V] {
			return errAt(e.label.P, "expectations for %q are given twice", e.label.V)
		}
		seen[e.label.V] = true
		m, err := spec.NewMap(e.expect.node, "an expectation")
		if err != nil {
			return err
		}
		byKey := map[string]Expectation{}
		for _, key := range m.Keys() {
			k, ok := expect.Lookup(key.Name)
			if !ok {
				msg := fmt.Sprintf("unknown field %q", key.Name)
				if s := suggest(key.Name); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				return errAt(key.P, "%s", msg)
			}
			var w expect.Want
			if k.Bool {
				var b boolean
				if err := b.UnmarshalYAML(m.Value(key.Name)); err != nil {
					return err
				}
				w.Bool = b.V
			} else if err := w.Cmp.UnmarshalYAML(m.Value(key.Name)); err != nil {
				return err
			}
			if k.AppliesTo != nil {
				if err := k.AppliesTo(sc.Schemes[i].Sim, e.label.V, sc.Schemes[i].Kind); err != nil {
					return errAt(key.ValueP, "%v", err)
				}
			}
			byKey[k.Key] = Expectation{Key: k.Key, Want: w.String(k), Line: key.P.Line, kind: k, want: w}
		}
		// Evaluated in catalogue order, whatever the file's order.
		var list []Expectation
		for _, k := range expect.All() {
			if x, ok := byKey[k.Key]; ok {
				list = append(list, x)
			}
		}
		if len(list) == 0 {
			keys := expect.Keys()
			return errAt(e.expect.P, "no expectations for %q: use %s or %s", e.label.V, strings.Join(keys[:len(keys)-1], ", "), keys[len(keys)-1])
		}
		sc.Schemes[i].Expect = list
	}
	return nil
}

// DurationString renders a span of true time compactly ("1.5s", "250ms").
func DurationString(ns int64) string { return time.Duration(ns).String() }
