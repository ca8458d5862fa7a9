package snowflake

import (
	"errors"
	"strings"

	"github.com/goccy/go-yaml/ast"

	gen "github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/spec"
)

// LayoutSpec is a layout as a scenario file writes it: a preset name or
// a custom mapping.
type LayoutSpec struct {
	p      spec.Pos
	set    bool
	preset spec.Text
	custom *customLayout
}

type customLayout struct {
	p               spec.Pos
	Name            spec.Text     `yaml:"name"`
	Epoch           spec.Time     `yaml:"epoch"`
	Unit            spec.Duration `yaml:"unit"`
	TimeBits        spec.Int      `yaml:"time_bits"`
	DatacenterBits  spec.Int      `yaml:"datacenter_bits"`
	WorkerBits      spec.Int      `yaml:"worker_bits"`
	SequenceBits    spec.Int      `yaml:"sequence_bits"`
	TimeShift       spec.Int      `yaml:"time_shift"`
	DatacenterShift spec.Int      `yaml:"datacenter_shift"`
	WorkerShift     spec.Int      `yaml:"worker_shift"`
	SequenceShift   spec.Int      `yaml:"sequence_shift"`
	Unsigned        spec.Bool     `yaml:"unsigned"`
}

// LayoutKeys are the keys of a custom layout mapping.
var LayoutKeys = []string{"name", "epoch", "unit", "time_bits", "datacenter_bits", "worker_bits", "sequence_bits",
	"time_shift", "datacenter_shift", "worker_shift", "sequence_shift", "unsigned"}

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (l *LayoutSpec) UnmarshalYAML(n ast.Node) error {
	l.p, l.set = spec.PosOf(n), true
	switch spec.Unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		l.custom = &customLayout{p: l.p}
		type plain customLayout
		return spec.DecodeStrict(n, (*plain)(l.custom))
	}
	return l.preset.UnmarshalYAML(n)
}

// Build resolves a preset name or builds and validates a custom layout,
// reporting problems at the offending key.
func (l LayoutSpec) Build() (gen.Layout, error) {
	if l.custom == nil {
		out, ok := gen.Preset(l.preset.V)
		if !ok {
			return out, spec.Errorf(l.p, "unknown layout %q (one of: %s, or a custom mapping)", l.preset.V, strings.Join(gen.PresetNames(), ", "))
		}
		return out, nil
	}
	c := l.custom
	for _, req := range []struct {
		name string
		set  bool
	}{{"epoch", c.Epoch.Set}, {"unit", c.Unit.Set}, {"time_bits", c.TimeBits.Set}, {"sequence_bits", c.SequenceBits.Set}} {
		if !req.set {
			return gen.Layout{}, spec.Errorf(c.p, "custom layout needs %s (it takes epoch, unit, time_bits, datacenter_bits, worker_bits, sequence_bits, optional *_shift and unsigned)", req.name)
		}
	}
	bitsOf := func(i spec.Int, name string) (uint8, error) {
		if i.V < 0 || i.V > 64 {
			return 0, spec.Errorf(i.P, "%s %d out of range 0..64", name, i.V)
		}
		return uint8(i.V), nil
	}
	var widths [4]uint8
	for k, x := range []struct {
		i    spec.Int
		name string
	}{{c.TimeBits, "time_bits"}, {c.DatacenterBits, "datacenter_bits"}, {c.WorkerBits, "worker_bits"}, {c.SequenceBits, "sequence_bits"}} {
		b, err := bitsOf(x.i, x.name)
		if err != nil {
			return gen.Layout{}, err
		}
		widths[k] = b
	}
	name := c.Name.V
	if name == "" {
		name = "custom"
	}
	total := int(widths[0]) + int(widths[1]) + int(widths[2]) + int(widths[3])
	shifts := []spec.Int{c.TimeShift, c.DatacenterShift, c.WorkerShift, c.SequenceShift}
	anyShift := false
	for _, s := range shifts {
		anyShift = anyShift || s.Set
	}
	var out gen.Layout
	if anyShift {
		out = gen.Layout{Name: name, Epoch: c.Epoch.V, Unit: c.Unit.V}
		fields := []*gen.Field{&out.Time, &out.Datacenter, &out.Worker, &out.Sequence}
		names := []string{"time_shift", "datacenter_shift", "worker_shift", "sequence_shift"}
		for k, s := range shifts {
			if widths[k] == 0 {
				continue
			}
			if !s.Set {
				return out, spec.Errorf(c.p, "custom layout gives some shifts but not %s: give all or none", names[k])
			}
			if s.V < 0 || s.V > 63 {
				return out, spec.Errorf(s.P, "%s %d out of range 0..63", names[k], s.V)
			}
			*fields[k] = gen.Field{Shift: uint8(s.V), Bits: widths[k]}
		}
	} else {
		if total > 64 {
			return out, spec.Errorf(c.TimeBits.P, "the fields add up to %d bits; an ID has 64 (63 unless unsigned: true)", total)
		}
		out = gen.Packed(name, c.Epoch.V, c.Unit.V, widths[0], widths[1], widths[2], widths[3])
	}
	out.Unsigned = c.Unsigned.V
	// A Snowflake orders IDs by time only if the time field is the most
	// significant one.
	for _, f := range []struct {
		name  string
		field gen.Field
		at    spec.Pos
	}{{"datacenter", out.Datacenter, pick(c.DatacenterShift, c.DatacenterBits)}, {"worker", out.Worker, pick(c.WorkerShift, c.WorkerBits)}, {"sequence", out.Sequence, pick(c.SequenceShift, c.SequenceBits)}} {
		if f.field.Bits > 0 && out.Time.Bits > 0 && f.field.Shift > out.Time.Shift {
			return out, spec.Errorf(f.at, "layout %s: the %s field sits above the time field (shift %d > %d), so IDs would not be ordered by time; put time in the highest bits", name, f.name, f.field.Shift, out.Time.Shift)
		}
	}
	if err := out.Validate(); err != nil {
		var le *gen.LayoutError
		at := c.p
		if errors.As(err, &le) {
			switch le.Field {
			case "time":
				at = pick(c.TimeShift, c.TimeBits)
			case "datacenter":
				at = pick(c.DatacenterShift, c.DatacenterBits)
			case "worker":
				at = pick(c.WorkerShift, c.WorkerBits)
			case "sequence":
				at = pick(c.SequenceShift, c.SequenceBits)
			case "unit":
				at = c.Unit.P
			case "epoch":
				at = c.Epoch.P
			}
			return out, spec.Errorf(at, "layout %s: %s", le.Field, le.Msg)
		}
		return out, spec.Errorf(at, "%v", err)
	}
	return out, nil
}

// pick returns the position of the shift if it was given, else of the
// width.
func pick(shift, width spec.Int) spec.Pos {
	if shift.Set {
		return shift.P
	}
	return width.P
}
