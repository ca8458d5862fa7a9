package snowflake

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests written to kill mutants of layout.go that survived the rest of
// the suite (tools/mutate).

// The presets' field names, and the defaults for unnamed fields.
func TestFieldNames(t *testing.T) {
	for _, c := range []struct {
		l                 Layout
		dc, worker, seqNm string
	}{
		{Twitter, "datacenter", "worker", "sequence"},
		{Discord, "worker", "process", "increment"},
		{Sonyflake, "datacenter", "machine", "sequence"},
		{Instagram, "datacenter", "shard", "sequence"},
	} {
		if c.l.DatacenterName() != c.dc || c.l.WorkerName() != c.worker || c.l.SequenceName() != c.seqNm {
			t.Errorf("%s: names %q %q %q, want %q %q %q", c.l.Name, c.l.DatacenterName(), c.l.WorkerName(), c.l.SequenceName(), c.dc, c.worker, c.seqNm)
		}
	}
}

// Preset finds every preset by name, in any case, and nothing else.
func TestPresetLookup(t *testing.T) {
	for _, l := range Presets() {
		got, ok := Preset(strings.ToUpper(l.Name))
		if !ok || got.Name != l.Name {
			t.Errorf("Preset(%q) = %v, %v", strings.ToUpper(l.Name), got.Name, ok)
		}
	}
	if l, ok := Preset("flake"); ok || l.Name != "" {
		t.Errorf("Preset(flake) = %v, %v", l.Name, ok)
	}
	if got := PresetNames(); !slices.Equal(got, []string{"twitter", "discord", "sonyflake", "instagram"}) {
		t.Errorf("PresetNames = %v", got)
	}
}

// Validate's limits: a 1 ns unit and a field ending at bit 62 (63 when
// unsigned) are accepted; the next bit up is refused, with the field
// named.
func TestValidateLimits(t *testing.T) {
	ok := Packed("x", time.Unix(0, 0), time.Nanosecond, 41, 5, 5, 12)
	if err := ok.Validate(); err != nil {
		t.Errorf("1ns unit: %v", err)
	}
	top := Packed("x", time.Unix(0, 0), time.Millisecond, 42, 5, 5, 11) // time ends at bit 62
	if err := top.Validate(); err != nil {
		t.Errorf("time to bit 62: %v", err)
	}
	over := Packed("x", time.Unix(0, 0), time.Millisecond, 43, 5, 5, 11)
	err := over.Validate()
	if le, _ := err.(*LayoutError); le == nil || le.Field != "time" || !strings.Contains(le.Msg, "63..21") {
		t.Errorf("time to bit 63, signed: %v", err)
	}
	over.Unsigned = true
	if err := over.Validate(); err != nil {
		t.Errorf("time to bit 63, unsigned: %v", err)
	}
	over.Time.Bits++
	if le, _ := over.Validate().(*LayoutError); le == nil || le.Field != "time" || !strings.Contains(le.Msg, "past bit 63") {
		t.Errorf("time to bit 64: %v", le)
	}
	// Fields that merely touch do not overlap; sharing one bit does.
	touch := Packed("x", time.Unix(0, 0), time.Millisecond, 41, 0, 10, 12)
	if err := touch.Validate(); err != nil {
		t.Errorf("touching fields: %v", err)
	}
	touch.Worker.Shift--
	if le, _ := touch.Validate().(*LayoutError); le == nil || le.Field != "sequence" || !strings.Contains(le.Msg, "worker") {
		t.Errorf("overlap by one bit: %v", le)
	}
	// A 1-bit field inside another is an overlap too, whichever comes
	// first.
	low := Packed("x", time.Unix(0, 0), time.Millisecond, 41, 0, 10, 12)
	low.Time = Field{Shift: 15, Bits: 1}
	if le, _ := low.Validate().(*LayoutError); le == nil || le.Field != "worker" {
		t.Errorf("a 1-bit time field inside the worker field: %v", le)
	}
	one := Packed("x", time.Unix(0, 0), time.Millisecond, 41, 0, 10, 12)
	one.Datacenter = Field{Shift: 30, Bits: 1}
	if le, _ := one.Validate().(*LayoutError); le == nil || le.Field != "datacenter" {
		t.Errorf("a 1-bit datacenter inside the time field: %v", le)
	}
	one.Datacenter, one.Sequence = Field{}, Field{Shift: 15, Bits: 1}
	if le, _ := one.Validate().(*LayoutError); le == nil || le.Field != "sequence" {
		t.Errorf("a 1-bit sequence inside the worker field: %v", le)
	}
	// Epochs from 1970 to 2200 are accepted.
	for y, good := range map[int]bool{1969: false, 1970: true, 2200: true, 2201: false} {
		l := ok
		l.Epoch = time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := l.Validate(); (err == nil) != good {
			t.Errorf("epoch in %d: %v", y, err)
		}
	}
}

// SignBitFrom for a 1-bit time field at bit 63: from the first tick on.
func TestSignBitFromOneBit(t *testing.T) {
	l := Layout{Name: "x", Epoch: time.Unix(0, 0).UTC(), Unit: time.Second, Time: Field{Shift: 63, Bits: 1}, Worker: Field{Bits: 10}, Unsigned: true}
	if at, ok := l.SignBitFrom(); !ok || !at.Equal(time.Unix(1, 0)) {
		t.Errorf("SignBitFrom = %v, %v; want 1970-01-01T00:00:01Z", at, ok)
	}
}

// SplitNode accepts node 0 and the last node, and returns zeros with
// ok false outside.
func TestSplitNodeLimits(t *testing.T) {
	if dc, w, ok := Twitter.SplitNode(0); !ok || dc != 0 || w != 0 {
		t.Errorf("SplitNode(0) = %d, %d, %v", dc, w, ok)
	}
	if dc, w, ok := Twitter.SplitNode(1023); !ok || dc != 31 || w != 31 {
		t.Errorf("SplitNode(1023) = %d, %d, %v", dc, w, ok)
	}
	for _, n := range []int64{-1, 1024} {
		if dc, w, ok := Twitter.SplitNode(n); ok || dc != 0 || w != 0 {
			t.Errorf("SplitNode(%d) = %d, %d, %v; want 0, 0, false", n, dc, w, ok)
		}
	}
}

// Horizons beyond what time.Time can count are clamped to 2^62 s; one
// at exactly 2^62 s after a later epoch is not.
func TestHorizonClamp(t *testing.T) {
	clamped := time.Unix(1<<62, 0).UTC()
	huge := Layout{Name: "x", Epoch: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Unit: 1000 * time.Second, Time: Field{Bits: 63}, Unsigned: true}
	if h := huge.Horizon(); !h.Equal(clamped) {
		t.Errorf("2^63 ticks of 1000 s: Horizon %v, want %v", h, clamped)
	}
	big := huge
	big.Unit, big.Time.Bits = time.Second, 62
	if h := big.Horizon(); h.Equal(clamped) || h.Unix() != huge.Epoch.Unix()+1<<62 {
		t.Errorf("2^62 ticks of 1 s: Horizon %v (Unix %d), want epoch + 2^62 s", h, h.Unix())
	}
}
