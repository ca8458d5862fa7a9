package snowflake

import (
	"strings"
	"testing"
	"time"
)

func TestPresetsValidate(t *testing.T) {
	for _, l := range Presets() {
		if err := l.Validate(); err != nil {
			t.Errorf("%s: %v", l.Name, err)
		}
	}
}

func TestPresetFacts(t *testing.T) {
	tests := []struct {
		layout     Layout
		bits       int
		perTick    uint64
		perWorker  float64
		perCluster float64
		horizon    string
	}{
		// 2^41 ms after 1288834974657 is 3487858230209 ms since 1970.
		{Twitter, 63, 4096, 4_096_000, 4_096_000 * 1024, "2080-07-10T17:30:30.209Z"},
		{Discord, 64, 4096, 4_096_000, 4_096_000 * 1024, "2154-05-15T07:35:11.104Z"},
		// 2^39 * 10 ms after 2014-09-01 (sonyflake's README: "174 years").
		{Sonyflake, 63, 256, 25_600, 25_600 * 65536, "2188-11-16T03:28:58.88Z"},
		{Instagram, 64, 1024, 1_024_000, 1_024_000 * 8192, "2081-04-30T12:54:37.273Z"},
	}
	for _, tt := range tests {
		l := tt.layout
		if got := l.TotalBits(); got != tt.bits {
			t.Errorf("%s: TotalBits = %d, want %d", l.Name, got, tt.bits)
		}
		if got := l.PerTick(); got != tt.perTick {
			t.Errorf("%s: PerTick = %d, want %d", l.Name, got, tt.perTick)
		}
		if got := l.CeilingPerWorker(); got != tt.perWorker {
			t.Errorf("%s: CeilingPerWorker = %v, want %v", l.Name, got, tt.perWorker)
		}
		if got := l.CeilingPerCluster(); got != tt.perCluster {
			t.Errorf("%s: CeilingPerCluster = %v, want %v", l.Name, got, tt.perCluster)
		}
		if got := l.Horizon().Format(time.RFC3339Nano); got != tt.horizon {
			t.Errorf("%s: Horizon = %s, want %s", l.Name, got, tt.horizon)
		}
	}
}

// Discord's developer documentation ("Snowflakes") decodes
// 175928847299117063 as 2016-04-30 11:18:25.796 UTC, internal worker 1,
// internal process 0, increment 7.
func TestDecodeDiscordDocumentedExample(t *testing.T) {
	p, err := Discord.Decode(175928847299117063)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Time.Format(time.RFC3339Nano), "2016-04-30T11:18:25.796Z"; got != want {
		t.Errorf("time = %s, want %s", got, want)
	}
	if p.Tick != 41944705796 {
		t.Errorf("tick = %d, want 41944705796", p.Tick)
	}
	if p.Datacenter != 1 || p.Worker != 0 || p.Sequence != 7 {
		t.Errorf("worker/process/increment = %d/%d/%d, want 1/0/7", p.Datacenter, p.Worker, p.Sequence)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, l := range Presets() {
		tick := int64(l.Time.Max() / 3)
		dc, w, seq := int64(l.Datacenter.Max()), int64(l.Worker.Max()/2), int64(l.Sequence.Max())
		id, err := l.Encode(tick, dc, w, seq)
		if err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		p, err := l.Decode(id)
		if err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		if p.Tick != tick || p.Datacenter != dc || p.Worker != w || p.Sequence != seq {
			t.Errorf("%s: round trip got %+v", l.Name, p)
		}
		if id >= 1<<63 && !l.Unsigned {
			t.Errorf("%s: id %d does not fit int64", l.Name, id)
		}
	}
	if _, err := Twitter.Encode(0, 32, 0, 0); err == nil {
		t.Error("Encode accepted datacenter 32 for 5 bits")
	}
	if _, err := Twitter.Decode(1 << 63); err == nil {
		t.Error("Decode accepted the sign bit")
	}
}

func TestSonyflakeOrder(t *testing.T) {
	// Sequence sits above the 16-bit machine ID.
	id, err := Sonyflake.Encode(1, 0, 0xBEEF, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(1)<<24 | 3<<16 | 0xBEEF; id != want {
		t.Errorf("id = %#x, want %#x", id, want)
	}
}

func TestValidateRejects(t *testing.T) {
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		layout Layout
		want   string
	}{
		{"too wide", Packed("x", epoch, time.Millisecond, 42, 5, 5, 12), "reach past bit 62"},
		{"too wide unsigned", unsigned(Packed("x", epoch, time.Millisecond, 43, 5, 5, 12)), "reach past bit 63"},
		{"zero unit", Packed("x", epoch, 0, 41, 5, 5, 12), "time unit must be positive"},
		{"no time", Packed("x", epoch, time.Millisecond, 0, 5, 5, 12), "at least 1 bit"},
		{"overlap", Layout{Name: "x", Epoch: epoch, Unit: time.Millisecond,
			Time: Field{22, 41}, Worker: Field{10, 10}, Sequence: Field{0, 12}}, "overlap"},
		{"no epoch", Packed("x", time.Time{}, time.Millisecond, 41, 5, 5, 12), "epoch is not set"},
		{"old epoch", Packed("x", time.Unix(-100, 0), time.Millisecond, 41, 5, 5, 12), "outside 1970..2200"},
	}
	for _, tt := range tests {
		err := tt.layout.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSignBitFrom(t *testing.T) {
	if _, ok := Twitter.SignBitFrom(); ok {
		t.Error("Twitter never sets bit 63")
	}
	for _, tt := range []struct {
		l    Layout
		want string
	}{
		// 2^40 ms after each epoch.
		{Instagram, "2046-06-27T17:00:49.497Z"},
		{Discord, "2084-09-06T15:47:35.552Z"},
	} {
		got, ok := tt.l.SignBitFrom()
		if !ok || got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("%s: SignBitFrom = %v, %v; want %s", tt.l.Name, got, ok, tt.want)
		}
	}
}

func TestSplitNode(t *testing.T) {
	dc, w, ok := Twitter.SplitNode(1023)
	if !ok || dc != 31 || w != 31 {
		t.Errorf("SplitNode(1023) = %d, %d, %v", dc, w, ok)
	}
	dc, w, ok = Twitter.SplitNode(37)
	if !ok || dc != 1 || w != 5 {
		t.Errorf("SplitNode(37) = %d, %d, %v", dc, w, ok)
	}
	if _, _, ok := Twitter.SplitNode(1024); ok {
		t.Error("SplitNode(1024) fits 10 bits?")
	}
}
