package snowflake

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Field is a run of bits inside an ID: Bits wide, starting Shift bits above
// the least significant bit.
type Field struct {
	Shift uint8
	Bits  uint8
}

// Max returns the largest value the field holds (0 for a zero-width field).
func (f Field) Max() uint64 { return 1<<f.Bits - 1 }

// mask returns the field's bits in place inside an ID.
func (f Field) mask() uint64 { return f.Max() << f.Shift }

// Names are what a layout calls its node fields and sequence. Projects use
// different words for the same bits: Discord's "worker" and "process" sit
// where Twitter has datacenter and worker, Instagram calls its node a shard
// and Sonyflake a machine.
type Names struct {
	Datacenter string
	Worker     string
	Sequence   string
}

// Layout is a Snowflake-style bit layout: a timestamp counted in Unit since
// Epoch, an optional datacenter field, a worker field and a per-tick
// sequence, packed into a 64-bit integer. By default a layout may use only
// the low 63 bits, so every ID also fits a signed BIGINT; a layout that is
// documented as unsigned 64-bit (Discord, Instagram) sets Unsigned.
//
// Fields are placed explicitly. The usual order, most significant first, is
// time, datacenter, worker, sequence; Sonyflake puts the sequence above the
// machine ID. Validate reports overlapping or out-of-range fields.
type Layout struct {
	// Name identifies the layout in reports; presets use lower-case names.
	Name string
	// Epoch is time zero of the timestamp field.
	Epoch time.Time
	// Unit is one tick of the timestamp field: 1ms for Twitter, 10ms for
	// Sonyflake.
	Unit time.Duration

	Time       Field
	Datacenter Field
	Worker     Field
	Sequence   Field

	// Names labels the fields for people; empty names read as
	// "datacenter", "worker" and "sequence".
	Names Names

	// Unsigned allows fields to use bit 63. Such IDs fit a uint64 but stop
	// fitting an int64 once the top bit is set; SignBitFrom says when.
	Unsigned bool
}

// Packed returns a layout whose fields sit in the order time, datacenter,
// worker, sequence from the most significant bit down, ending at bit 0.
// Bits left over above the time field are unused (zero).
func Packed(name string, epoch time.Time, unit time.Duration, timeBits, datacenterBits, workerBits, sequenceBits uint8) Layout {
	l := Layout{Name: name, Epoch: epoch, Unit: unit}
	shift := uint8(0)
	l.Sequence = Field{Shift: shift, Bits: sequenceBits}
	shift += sequenceBits
	l.Worker = Field{Shift: shift, Bits: workerBits}
	shift += workerBits
	l.Datacenter = Field{Shift: shift, Bits: datacenterBits}
	shift += datacenterBits
	l.Time = Field{Shift: shift, Bits: timeBits}
	return l
}

// Presets. Each names its source; the bit widths and epochs are facts from
// those documents, not code taken from them.
var (
	// Twitter is the original Snowflake: 41 bits of milliseconds since
	// 2010-11-04T01:42:54.657Z, 5 datacenter bits, 5 worker bits and a
	// 12-bit sequence (twitter-archive/snowflake, IdWorker.scala).
	Twitter = withNames(Packed("twitter", time.UnixMilli(1288834974657).UTC(), time.Millisecond, 41, 5, 5, 12), Names{})

	// Discord: 42 timestamp bits of milliseconds since
	// 2015-01-01T00:00:00Z, a 5-bit internal worker ID, a 5-bit internal
	// process ID and a 12-bit increment, as an unsigned 64-bit integer
	// (discord.com/developers/docs, "Snowflakes"). The top bit is set from
	// 2084-09-06 on.
	Discord = unsigned(withNames(Packed("discord", time.UnixMilli(1420070400000).UTC(), time.Millisecond, 42, 5, 5, 12),
		Names{Datacenter: "worker", Worker: "process", Sequence: "increment"}))

	// Sonyflake: 39 bits of 10 ms units since 2014-09-01T00:00:00Z, then an
	// 8-bit sequence, then a 16-bit machine ID in the low bits
	// (sony/sonyflake, README and default StartTime).
	Sonyflake = Layout{
		Name:     "sonyflake",
		Epoch:    time.Date(2014, 9, 1, 0, 0, 0, 0, time.UTC),
		Unit:     10 * time.Millisecond,
		Time:     Field{Shift: 24, Bits: 39},
		Sequence: Field{Shift: 16, Bits: 8},
		Worker:   Field{Shift: 0, Bits: 16},
		Names:    Names{Worker: "machine"},
	}

	// Instagram: 41 bits of milliseconds since their custom epoch
	// 1314220021721 (2011-08-24T21:07:01.721Z), a 13-bit logical shard ID
	// and a 10-bit sequence: all 64 bits ("Sharding & IDs at Instagram",
	// 2012). The post stores them in a signed bigint, which the top
	// timestamp bit turns negative from 2046-06-27 on; SignBitFrom reports it.
	Instagram = unsigned(withNames(Packed("instagram", time.UnixMilli(1314220021721).UTC(), time.Millisecond, 41, 0, 13, 10),
		Names{Worker: "shard"}))
)

func unsigned(l Layout) Layout {
	l.Unsigned = true
	return l
}

func withNames(l Layout, n Names) Layout {
	l.Names = n
	return l
}

// Presets returns the built-in layouts in a fixed order.
func Presets() []Layout { return []Layout{Twitter, Discord, Sonyflake, Instagram} }

// Preset returns the built-in layout with the given name (case-insensitive).
func Preset(name string) (Layout, bool) {
	for _, l := range Presets() {
		if strings.EqualFold(l.Name, name) {
			return l, true
		}
	}
	return Layout{}, false
}

// PresetNames lists the built-in layout names.
func PresetNames() []string {
	var names []string
	for _, l := range Presets() {
		names = append(names, l.Name)
	}
	return names
}

// DatacenterName returns what the layout calls its datacenter field.
func (l Layout) DatacenterName() string { return orDefault(l.Names.Datacenter, "datacenter") }

// WorkerName returns what the layout calls its worker field.
func (l Layout) WorkerName() string { return orDefault(l.Names.Worker, "worker") }

// SequenceName returns what the layout calls its sequence field.
func (l Layout) SequenceName() string { return orDefault(l.Names.Sequence, "sequence") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// A LayoutError says what is wrong with a layout. Field names the offending
// part ("time", "datacenter", "worker", "sequence", "unit" or "epoch").
type LayoutError struct {
	Field string
	Msg   string
}

// Error says which part of the layout is wrong and why.
func (e *LayoutError) Error() string {
	return fmt.Sprintf("snowflake: layout %s: %s", e.Field, e.Msg)
}

// Validate reports the first problem with the layout: a non-positive unit,
// a missing timestamp, a field reaching past bit 62, or two fields sharing
// bits.
func (l Layout) Validate() error {
	if l.Unit <= 0 {
		return &LayoutError{"unit", fmt.Sprintf("time unit must be positive, got %v", l.Unit)}
	}
	if l.Time.Bits == 0 {
		return &LayoutError{"time", "timestamp needs at least 1 bit"}
	}
	fields := []struct {
		name string
		f    Field
	}{{"time", l.Time}, {"datacenter", l.Datacenter}, {"worker", l.Worker}, {"sequence", l.Sequence}}
	for _, x := range fields {
		if int(x.f.Shift)+int(x.f.Bits) > 64 {
			return &LayoutError{x.name, fmt.Sprintf("bits %s reach past bit 63; IDs must fit in 64 bits", bitRange(x.f))}
		}
		if int(x.f.Shift)+int(x.f.Bits) > 63 && !l.Unsigned {
			return &LayoutError{x.name, fmt.Sprintf("bits %s reach past bit 62; IDs must fit in 63 bits to stay positive in a signed 64-bit column (mark the layout unsigned if your IDs are uint64)", bitRange(x.f))}
		}
	}
	for i, a := range fields {
		for _, b := range fields[i+1:] {
			if a.f.Bits > 0 && b.f.Bits > 0 && a.f.mask()&b.f.mask() != 0 {
				return &LayoutError{b.name, fmt.Sprintf("bits %s overlap the %s field's bits %s", bitRange(b.f), a.name, bitRange(a.f))}
			}
		}
	}
	if l.Epoch.IsZero() {
		return &LayoutError{"epoch", "epoch is not set"}
	}
	if y := l.Epoch.UTC().Year(); y < 1970 || y > 2200 {
		return &LayoutError{"epoch", fmt.Sprintf("epoch %s is outside 1970..2200", l.Epoch.UTC().Format(time.RFC3339))}
	}
	return nil
}

// bitRange renders a field as "hi..lo" bit numbers.
func bitRange(f Field) string {
	if f.Bits == 0 {
		return "(none)"
	}
	return fmt.Sprintf("%d..%d", int(f.Shift)+int(f.Bits)-1, f.Shift)
}

// TotalBits returns how many bits the layout uses.
func (l Layout) TotalBits() int {
	return int(l.Time.Bits) + int(l.Datacenter.Bits) + int(l.Worker.Bits) + int(l.Sequence.Bits)
}

// SignBitFrom returns the first instant at which the layout's IDs have bit
// 63 set and so no longer fit an int64. ok is false when the time field
// does not reach bit 63 (no ID ever sets it, or only a non-time field can).
func (l Layout) SignBitFrom() (t time.Time, ok bool) {
	if l.Time.Bits == 0 || int(l.Time.Shift)+int(l.Time.Bits) != 64 {
		return time.Time{}, false
	}
	return l.addTicks(new(big.Int).Lsh(big.NewInt(1), uint(63-l.Time.Shift))), true
}

// NodeBits returns the combined width of the datacenter and worker fields:
// log2 of how many generators can run at once with distinct IDs.
func (l Layout) NodeBits() int { return int(l.Datacenter.Bits) + int(l.Worker.Bits) }

// SplitNode maps a node number in [0, 2^NodeBits) to datacenter and worker
// values: the worker field takes the low bits. ok is false when n does not
// fit.
func (l Layout) SplitNode(n int64) (datacenter, worker int64, ok bool) {
	if n < 0 || n >= int64(1)<<l.NodeBits() {
		return 0, 0, false
	}
	return n >> l.Worker.Bits, n & int64(l.Worker.Max()), true
}

// PerTick returns how many IDs one generator can issue per tick.
func (l Layout) PerTick() uint64 { return 1 << l.Sequence.Bits }

// CeilingPerWorker returns the most IDs per second one generator can issue.
func (l Layout) CeilingPerWorker() float64 {
	return float64(l.PerTick()) * float64(time.Second) / float64(l.Unit)
}

// CeilingPerCluster returns the most IDs per second all generators together
// can issue, with every node ID in use.
func (l Layout) CeilingPerCluster() float64 {
	return l.CeilingPerWorker() * float64(uint64(1)<<l.NodeBits())
}

// Horizon returns the first instant whose timestamp no longer fits the time
// field: Epoch + Unit * 2^TimeBits. A layout cannot issue IDs from then on.
func (l Layout) Horizon() time.Time {
	return l.addTicks(new(big.Int).Lsh(big.NewInt(1), uint(l.Time.Bits)))
}

// addTicks returns Epoch + n*Unit, exact for any n a layout can hold.
func (l Layout) addTicks(n *big.Int) time.Time {
	total := new(big.Int).Mul(n, big.NewInt(int64(l.Unit)))
	sec, nsec := new(big.Int).QuoRem(total, big.NewInt(int64(time.Second)), new(big.Int))
	const maxSec = 1 << 62 // far past any real horizon; time.Time stops counting near 2^63 s
	if !sec.IsInt64() || sec.Int64() > maxSec {
		return time.Unix(maxSec, 0).UTC()
	}
	return time.Unix(l.Epoch.Unix()+sec.Int64(), int64(l.Epoch.Nanosecond())+nsec.Int64()).UTC()
}

// Parts are the fields of a decoded ID.
type Parts struct {
	// Tick is the raw timestamp field; Time is Epoch + Tick*Unit in UTC.
	Tick       int64
	Time       time.Time
	Datacenter int64
	Worker     int64
	Sequence   int64
}

// Decode splits id into its fields. It fails if id has bits set outside
// every field, which means it was not made with this layout.
func (l Layout) Decode(id uint64) (Parts, error) {
	used := l.Time.mask() | l.Datacenter.mask() | l.Worker.mask() | l.Sequence.mask()
	if stray := id &^ used; stray != 0 {
		return Parts{}, fmt.Errorf("snowflake: %d has bits set outside the %s layout (mask %#x)", id, l.Name, stray)
	}
	get := func(f Field) int64 { return int64(id >> f.Shift & f.Max()) }
	p := Parts{
		Tick:       get(l.Time),
		Datacenter: get(l.Datacenter),
		Worker:     get(l.Worker),
		Sequence:   get(l.Sequence),
	}
	p.Time = l.TickTime(p.Tick)
	return p, nil
}

// TickTime returns the instant tick starts at, in UTC.
func (l Layout) TickTime(tick int64) time.Time { return l.addTicks(big.NewInt(tick)) }

// Encode packs the fields into an ID. It fails when a field is out of range.
func (l Layout) Encode(tick, datacenter, worker, sequence int64) (uint64, error) {
	for _, x := range []struct {
		name string
		v    int64
		f    Field
	}{{"tick", tick, l.Time}, {l.DatacenterName(), datacenter, l.Datacenter}, {l.WorkerName(), worker, l.Worker}, {l.SequenceName(), sequence, l.Sequence}} {
		if x.v < 0 || uint64(x.v) > x.f.Max() {
			return 0, fmt.Errorf("snowflake: %s %d out of range 0..%d for layout %s", x.name, x.v, x.f.Max(), l.Name)
		}
	}
	return uint64(tick)<<l.Time.Shift | uint64(datacenter)<<l.Datacenter.Shift |
		uint64(worker)<<l.Worker.Shift | uint64(sequence)<<l.Sequence.Shift, nil
}
