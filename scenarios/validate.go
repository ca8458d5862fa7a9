package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
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

func validateSchemes(f *fileSpec, sc *Scenario) error {
	if !f.Schemes.Set || len(f.Schemes.V) == 0 {
		return errAt(orPos(f.Schemes.P, f.Schemes.Set), "missing schemes: list at least one, e.g. schemes: [{label: refuse, kind: snowflake, layout: twitter, on_clock_backward: error}]")
	}
	env := kind.Env{
		Workers: sc.Workers, WorkersPos: f.Workers.Count.P, Identities: sc.Identities(),
		Datacenters: len(sc.Datacenters), Network: sc.Network,
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
			return errAt(key.P, "%s does not take %s (it takes %s)", kindName.V, key.Name, takes)
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

// faultKeys lists, per kind, the keys a fault takes and which are
// required.
var faultKeys = map[string]struct{ allowed, required []string }{
	"clock_step":            {[]string{"at", "workers", "by"}, []string{"at", "workers", "by"}},
	"duplicate_worker_id":   {[]string{"at", "workers"}, []string{"workers"}},
	"sequence_flood":        {[]string{"at", "for", "workers", "rate", "pattern"}, []string{"at", "for", "workers", "rate"}},
	"clock_drift":           {[]string{"at", "for", "workers", "ppm"}, []string{"at", "workers", "ppm"}},
	"clock_freeze":          {[]string{"at", "for", "workers"}, []string{"at", "for", "workers"}},
	"pause":                 {[]string{"at", "for", "workers"}, []string{"at", "for", "workers"}},
	"restart":               {[]string{"at", "workers", "downtime", "stagger", "every", "times"}, []string{"at", "workers", "downtime"}},
	"db_outage":             {[]string{"at", "for"}, []string{"at", "for"}},
	"coordinator_partition": {[]string{"at", "for", "workers"}, []string{"at", "for", "workers"}},
	"renewal_loss":          {[]string{"at", "for", "workers", "probability"}, []string{"at", "for", "workers", "probability"}},
	"network_delay":         {[]string{"at", "for", "workers", "by"}, []string{"at", "for", "workers", "by"}},
}

// faultKinds lists the kinds in catalogue order.
func faultKinds() []string {
	var ks []string
	for _, k := range faults.Kinds() {
		ks = append(ks, k.Kind)
	}
	return ks
}

func validateFaults(f *fileSpec, sc *Scenario) error {
	env := faults.Env{Workers: sc.Workers, Duration: sc.Duration}
	for i, fs := range f.Faults.V {
		if !fs.Kind.Set {
			return errAt(fs.P, "fault needs a kind (one of: %s)", strings.Join(faultKinds(), ", "))
		}
		keys, ok := faultKeys[fs.Kind.V]
		if !ok {
			return errAt(fs.Kind.P, "unknown fault kind %q (one of: %s)", fs.Kind.V, strings.Join(faultKinds(), ", "))
		}
		given := map[string]pos{}
		for name, p := range map[string]struct {
			Set bool
			P   pos
		}{
			"at": {fs.At.Set, fs.At.P}, "for": {fs.For.Set, fs.For.P}, "workers": {fs.Workers.Set, fs.Workers.P},
			"by": {fs.By.Set, fs.By.P}, "rate": {fs.Rate.Set, fs.Rate.P}, "pattern": {fs.Pattern.Set, fs.Pattern.P},
			"ppm": {fs.PPM.Set, fs.PPM.P}, "downtime": {fs.Downtime.Set, fs.Downtime.P},
			"stagger": {fs.Stagger.Set, fs.Stagger.P}, "every": {fs.Every.Set, fs.Every.P}, "times": {fs.Times.Set, fs.Times.P},
			"probability": {fs.Probability.Set, fs.Probability.P},
		} {
			if p.Set {
				given[name] = p.P
			}
		}
		for _, name := range []string{"at", "for", "workers", "by", "rate", "pattern", "ppm", "downtime", "stagger", "every", "times", "probability"} {
			if p, ok := given[name]; ok && !slices.Contains(keys.allowed, name) {
				return errAt(p, "%s does not take %s (it takes %s)", fs.Kind.V, name, strings.Join(keys.allowed, ", "))
			}
		}
		for _, name := range keys.required {
			if _, ok := given[name]; !ok {
				return errAt(fs.P, "%s needs %s (it takes %s)", fs.Kind.V, name, strings.Join(keys.allowed, ", "))
			}
		}
		var workers faults.Workers
		if !fs.Workers.All {
			workers = fs.Workers.V
		}
		var fault faults.Fault
		switch fs.Kind.V {
		case "clock_step":
			fault = faults.ClockStep{At: fs.At.V, Workers: workers, By: fs.By.V}
		case "duplicate_worker_id":
			if fs.Workers.All {
				return errAt(fs.Workers.P, "list the workers that share an ID, e.g. [3, 7]")
			}
			fault = faults.DuplicateWorkerID{At: fs.At.V, Workers: workers}
		case "sequence_flood":
			pattern := sim.Constant
			if fs.Pattern.Set {
				p, err := sim.ParsePattern(fs.Pattern.V)
				if err != nil {
					return errAt(fs.Pattern.P, "%v", err)
				}
				pattern = p
			}
			fault = faults.SequenceFlood{At: fs.At.V, For: fs.For.V, Workers: workers, Rate: fs.Rate.V, Pattern: pattern}
		case "clock_drift":
			fault = faults.ClockDrift{At: fs.At.V, For: fs.For.V, Workers: workers, PPM: fs.PPM.V}
		case "clock_freeze":
			fault = faults.ClockFreeze{At: fs.At.V, For: fs.For.V, Workers: workers}
		case "pause":
			fault = faults.Pause{At: fs.At.V, For: fs.For.V, Workers: workers}
		case "restart":
			fault = faults.Restart{At: fs.At.V, Workers: workers, Downtime: fs.Downtime.V, Stagger: fs.Stagger.V, Every: fs.Every.V, Times: fs.Times.V}
		case "db_outage":
			fault = faults.DatabaseOutage{At: fs.At.V, For: fs.For.V}
		case "coordinator_partition":
			fault = faults.CoordinatorPartition{At: fs.At.V, For: fs.For.V, Workers: workers}
		case "renewal_loss":
			fault = faults.RenewalLoss{At: fs.At.V, For: fs.For.V, Workers: workers, Probability: fs.Probability.V}
		case "network_delay":
			fault = faults.NetworkDelay{At: fs.At.V, For: fs.For.V, Workers: workers, By: fs.By.V}
		}
		if err := fault.Validate(env); err != nil {
			at := fs.P
			var fe *faults.FieldError
			if errors.As(err, &fe) {
				if p, ok := given[fe.Field]; ok {
					at = p
				}
				return errAt(at, "%s: %s", fs.Kind.V, fe.Msg)
			}
			return errAt(at, "%s: %v", fs.Kind.V, err)
		}
		sc.Faults = append(sc.Faults, Fault{ID: fmt.Sprintf("%s#%d", fs.Kind.V, i+1), Line: fs.P.Line, Fault: fault})
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
		x := e.expect
		var list []Expectation
		addBool := func(key string, b boolean) {
			if b.Set {
				list = append(list, Expectation{Key: key, Want: fmt.Sprint(b.V), Line: b.P.Line, boolean: b.V})
			}
		}
		addCmp := func(key string, c comparison) {
			if c.Set {
				list = append(list, Expectation{Key: key, Want: c.String(), Line: c.P.Line, cmp: c})
			}
		}
		addBool("unique", x.Unique)
		addBool("monotonic", x.Monotonic)
		if _, ok := sc.Schemes[i].Sim.(kind.Ceiling); x.WithinCeiling.Set && !ok {
			return errAt(x.WithinCeiling.P, "within_ceiling applies to schemes whose layouts cap the IDs per tick; %q is %s, which has no ceiling", e.label.V, sc.Schemes[i].Kind)
		}
		addBool("within_ceiling", x.WithinCeiling)
		addCmp("duplicates", x.Duplicates)
		addCmp("monotonic_violations", x.MonotonicViolations)
		addCmp("errors", x.Errors)
		addCmp("generated", x.Generated)
		addCmp("unserved", x.Unserved)
		addCmp("delayed_calls", x.DelayedCalls)
		addCmp("late_ids", x.LateIDs)
		addCmp("gaps", x.Gaps)
		if _, ok := sc.Schemes[i].Sim.(kind.Allocator); x.Linearizable.Set && !ok {
			return errAt(x.Linearizable.P, "linearizable applies to central allocators, whose allocations form a history; %q is %s, which has none", e.label.V, sc.Schemes[i].Kind)
		}
		addBool("linearizable", x.Linearizable)
		if len(list) == 0 {
			return errAt(x.P, "no expectations for %q: use unique, monotonic, within_ceiling, duplicates, monotonic_violations, errors, generated, unserved, delayed_calls, late_ids, gaps or linearizable", e.label.V)
		}
		sc.Schemes[i].Expect = list
	}
	return nil
}

// DurationString renders a span of true time compactly ("1.5s", "250ms").
func DurationString(ns int64) string { return time.Duration(ns).String() }
