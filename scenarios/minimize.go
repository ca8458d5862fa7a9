package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Minimized is the outcome of Minimize.
type Minimized struct {
	// Source is the smaller scenario file.
	Source []byte
	// Steps says what was removed, in order.
	Steps []string
	// Runs counts the simulations tried.
	Runs int
	// Before and After summarise the scenario's size.
	Before, After Size
}

// Size is what Minimize shrinks.
type Size struct {
	Schemes, Faults, Workers int
	Duration                 time.Duration
}

func (s Size) String() string {
	return fmt.Sprintf("%d schemes, %d faults, %d workers, %v", s.Schemes, s.Faults, s.Workers, s.Duration)
}

// Minimize shrinks a failing scenario, with its seed fixed, to a smaller
// one that still fails the same way — the first failing expectation of
// the original (scheme and key) still fails. It keeps only the schemes
// that failed and their failing expectations, then removes faults one at
// a time (delta debugging with single removals, to a fixpoint), halves
// the workers and the duration while the failure persists, and removes
// faults again. Each candidate is parsed and run; one that does not
// parse (a fault naming a removed worker) is skipped.
func Minimize(file string, src []byte, seed uint64, seedSet bool) (*Minimized, error) {
	sc, err := Parse(file, src)
	if err != nil {
		return nil, err
	}
	if !seedSet {
		seed = sc.Seed
	}
	res, err := Run(sc, Options{Seed: seed, SeedSet: true})
	if err != nil {
		return nil, err
	}
	if res.Passed {
		return nil, fmt.Errorf("%s passes with seed %d: nothing to minimize", file, seed)
	}
	var target [2]string // scheme, expectation key
	failing := map[string][]string{}
	for _, r := range res.Runs {
		for _, e := range r.Expectations {
			if !e.Passed {
				if target[0] == "" {
					target = [2]string{r.Scheme, e.Key}
				}
				failing[r.Scheme] = append(failing[r.Scheme], e.Key)
			}
		}
	}
	var doc yaml.MapSlice
	if err := yaml.UnmarshalWithOptions(src, &doc, yaml.UseOrderedMap()); err != nil {
		return nil, err
	}
	m := &Minimized{Before: sizeOf(sc)}
	set(&doc, "seed", seed)
	// fails reports whether a candidate still shows the target failure.
	fails := func(d yaml.MapSlice) (bool, *Scenario) {
		b, err := yaml.Marshal(d)
		if err != nil {
			return false, nil
		}
		c, err := Parse(file, b)
		if err != nil {
			return false, nil
		}
		m.Runs++
		r, err := Run(c, Options{Seed: seed, SeedSet: true})
		if err != nil {
			return false, nil
		}
		for _, run := range r.Runs {
			for _, e := range run.Expectations {
				if run.Scheme == target[0] && e.Key == target[1] && !e.Passed {
					return true, c
				}
			}
		}
		return false, nil
	}
	try := func(step string, cand yaml.MapSlice) bool {
		if ok, _ := fails(cand); ok {
			doc = cand
			m.Steps = append(m.Steps, step)
			return true
		}
		return false
	}
	// 1. Only the target scheme and its failing expectation.
	cand := clone(doc)
	if schemes, ok := get(cand, "schemes").([]any); ok {
		var keep []any
		for _, s := range schemes {
			if ms, ok := s.(yaml.MapSlice); ok && fmt.Sprint(get(ms, "label")) == target[0] {
				keep = append(keep, s)
			}
		}
		set(&cand, "schemes", keep)
	}
	if exp, ok := get(cand, "expect").(yaml.MapSlice); ok {
		for _, item := range exp {
			if fmt.Sprint(item.Key) == target[0] {
				entry, _ := item.Value.(yaml.MapSlice)
				var only yaml.MapSlice
				for _, kv := range entry {
					if fmt.Sprint(kv.Key) == target[1] {
						only = append(only, kv)
					}
				}
				set(&cand, "expect", yaml.MapSlice{{Key: item.Key, Value: only}})
			}
		}
	}
	step := fmt.Sprintf("kept only scheme %s and its failing expectation %s", target[0], target[1])
	if dropped := dropUnparsableFaults(file, &cand); len(dropped) > 0 {
		// A fault only the removed schemes could feel (a db_outage
		// without a database scheme) is a load error: it goes too.
		step += fmt.Sprintf("; removed the faults it cannot feel (%s)", strings.Join(dropped, ", "))
	}
	try(step, cand)
	removeFaults := func() {
		for changed := true; changed; {
			changed = false
			fs, _ := get(doc, "faults").([]any)
			for i := range fs {
				c := clone(doc)
				rest := slices.Delete(slices.Clone(fs), i, i+1)
				set(&c, "faults", rest)
				if try(fmt.Sprintf("removed fault %d (%s)", i+1, describeFault(fs[i])), c) {
					changed = true
					break
				}
			}
		}
	}
	removeFaults()
	// 2. Fewer workers, shorter runs.
	for {
		w, _ := get(doc, "workers").(yaml.MapSlice)
		n, ok := toInt(get(w, "count"))
		if !ok || n <= 1 {
			break
		}
		c := clone(doc)
		cw := clone(w)
		set(&cw, "count", n/2)
		set(&c, "workers", cw)
		if !try(fmt.Sprintf("workers %d → %d", n, n/2), c) {
			break
		}
	}
	for {
		d, err := time.ParseDuration(fmt.Sprint(get(doc, "duration")))
		if err != nil || d <= time.Millisecond {
			break
		}
		c := clone(doc)
		set(&c, "duration", (d / 2).String())
		if !try(fmt.Sprintf("duration %v → %v", d, d/2), c) {
			break
		}
	}
	removeFaults()
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	final, err := Parse(file, b)
	if err != nil {
		return nil, errors.New("minimize: the result does not parse (a bug)")
	}
	m.After = sizeOf(final)
	var out bytes.Buffer
	fmt.Fprintf(&out, "# Minimized by idsim from %s with seed %d (%d runs): %s → %s.\n", file, seed, m.Runs, m.Before, m.After)
	fmt.Fprintf(&out, "# Still fails: %s %s.\n", target[0], target[1])
	for _, s := range m.Steps {
		fmt.Fprintf(&out, "#   %s\n", s)
	}
	out.Write(b)
	m.Source = out.Bytes()
	return m, nil
}

// dropUnparsableFaults removes from doc, if it does not parse, each fault
// with which alone it would not parse either, and describes them.
func dropUnparsableFaults(file string, doc *yaml.MapSlice) []string {
	parses := func(d yaml.MapSlice) bool {
		b, err := yaml.Marshal(d)
		if err != nil {
			return false
		}
		_, err = Parse(file, b)
		return err == nil
	}
	fs, _ := get(*doc, "faults").([]any)
	if len(fs) == 0 || parses(*doc) {
		return nil
	}
	var keep []any
	var dropped []string
	for _, f := range fs {
		c := clone(*doc)
		set(&c, "faults", []any{f})
		if parses(c) {
			keep = append(keep, f)
		} else {
			dropped = append(dropped, describeFault(f))
		}
	}
	set(doc, "faults", keep)
	return dropped
}

func sizeOf(sc *Scenario) Size {
	return Size{Schemes: len(sc.Schemes), Faults: len(sc.Faults), Workers: sc.Workers, Duration: sc.Duration}
}

func describeFault(f any) string {
	if ms, ok := f.(yaml.MapSlice); ok {
		return fmt.Sprint(get(ms, "kind"))
	}
	return "?"
}

func get(m yaml.MapSlice, key string) any {
	for _, kv := range m {
		if fmt.Sprint(kv.Key) == key {
			return kv.Value
		}
	}
	return nil
}

func set(m *yaml.MapSlice, key string, v any) {
	for i, kv := range *m {
		if fmt.Sprint(kv.Key) == key {
			(*m)[i].Value = v
			return
		}
	}
	*m = append(*m, yaml.MapItem{Key: key, Value: v})
}

func clone(m yaml.MapSlice) yaml.MapSlice { return slices.Clone(m) }

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case uint64:
		return int(x), true
	case int64:
		return int(x), true
	case int:
		return x, true
	}
	var n int
	_, err := fmt.Sscan(strings.TrimSpace(fmt.Sprint(v)), &n)
	return n, err == nil
}
