package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/rangebatch"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/schemes"
)

// SchemeKinds lists the scheme kinds a scenario can use, with the keys
// each takes besides label and kind.
var SchemeKinds = []struct {
	Kind, Keys, Summary string
}{
	{"snowflake", "layout, on_clock_backward, max_wait, worker_ids, variant", "timestamp, node ID and per-tick sequence in 64 bits; on_clock_backward: error (default), wait and wait_then_error (with max_wait), borrow, monotonic_anchor, ignore; worker_ids: how workers get their node IDs (static by default, or from a coordinator)"},
	{"uuidv4", "random_bits", "RFC 9562 version 4: 122 random bits"},
	{"uuidv7", "on_clock_backward, random_bits, variant", "RFC 9562 version 7: Unix ms, sub-ms fraction as counter, 62 random bits; on_clock_backward: clamp (default) or error"},
	{"ulid", "on_clock_backward, random_bits", "ULID: Unix ms and 80 random bits, incremented within a ms; on_clock_backward: clamp (default) or error"},
	{"rangebatch", "batch, prefetch_at, variant", "ranges of batch IDs from a database sequence over the network; prefetch_at: the fraction of a range used when the next is fetched"},
	{"autoinc", "variant", "auto-increment: one database round trip per ID"},
	{"tickets", "servers, variant", "Flickr-style ticket servers: servers databases, server k issuing k, k+n, k+2n, …; clients take turns and fail over when one is down"},
}

func kindNames() string {
	var names []string
	for _, k := range SchemeKinds {
		names = append(names, k.Kind)
	}
	return strings.Join(names, ", ")
}

func validateSchemes(f *fileSpec, sc *Scenario) error {
	if !f.Schemes.set || len(f.Schemes.v) == 0 {
		return errAt(orPos(f.Schemes.p, f.Schemes.set), "missing schemes: list at least one, e.g. schemes: [{label: refuse, kind: snowflake, layout: twitter, on_clock_backward: error}]")
	}
	for _, s := range f.Schemes.v {
		if !s.Label.set || s.Label.v == "" {
			return errAt(s.p, "scheme needs a label: the name its row has in the report")
		}
		if !nameRE.MatchString(s.Label.v) {
			return errAt(s.Label.p, "label %q: use lower case letters, digits, '.', '_' and '-'", s.Label.v)
		}
		for _, prev := range sc.Schemes {
			if prev.Label == s.Label.v {
				return errAt(s.Label.p, "label %q is used twice (first on line %d)", s.Label.v, prev.Line)
			}
		}
		if !s.Kind.set {
			return errAt(s.p, "scheme %q needs a kind (one of: %s)", s.Label.v, kindNames())
		}
		keys, known := "", false
		for _, k := range SchemeKinds {
			if k.Kind == s.Kind.v {
				keys, known = k.Keys, true
			}
		}
		if !known {
			return errAt(s.Kind.p, "unknown scheme kind %q (one of: %s)", s.Kind.v, kindNames())
		}
		for _, key := range []struct {
			name string
			set  bool
			p    pos
		}{
			{"layout", s.Layout.set, s.Layout.p}, {"on_clock_backward", s.OnClockBackward.set, s.OnClockBackward.p},
			{"max_wait", s.MaxWait.set, s.MaxWait.p}, {"random_bits", s.RandomBits.set, s.RandomBits.p},
			{"batch", s.Batch.set, s.Batch.p}, {"prefetch_at", s.PrefetchAt.set, s.PrefetchAt.p},
			{"worker_ids", s.WorkerIDs.set, s.WorkerIDs.p}, {"variant", s.Variant.set, s.Variant.p},
			{"servers", s.Servers.set, s.Servers.p},
		} {
			if key.set && !slices.Contains(strings.Split(keys, ", "), key.name) {
				takes := "only label and kind"
				if keys != "" {
					takes = keys
				}
				return errAt(key.p, "%s does not take %s (it takes %s)", s.Kind.v, key.name, takes)
			}
		}
		out := Scheme{Label: s.Label.v, Kind: s.Kind.v, Line: s.p.line}
		var err error
		switch s.Kind.v {
		case "snowflake":
			err = buildSnowflake(s, sc, &out, f.Workers.Count.p)
		case "rangebatch", "autoinc":
			err = buildBatch(s, sc, &out)
		case "tickets":
			err = buildTickets(s, sc, &out)
		default:
			err = buildRandom(s, &out)
		}
		if err != nil {
			return err
		}
		sc.Schemes = append(sc.Schemes, out)
	}
	return nil
}

// buildSnowflake fills in a snowflake scheme and checks that every
// worker's node ID fits its layout.
func buildSnowflake(s schemeSpec, sc *Scenario, out *Scheme, countPos pos) error {
	if !s.Layout.set {
		return errAt(s.p, "scheme %q needs a layout: one of %s, or a mapping with time_bits, unit, epoch, datacenter_bits, worker_bits and sequence_bits",
			s.Label.v, strings.Join(snowflake.PresetNames(), ", "))
	}
	l, err := buildLayout(s.Layout)
	if err != nil {
		return err
	}
	sf := &schemes.Snowflake{Layout: l, OnBackward: snowflake.Error, Datacenters: max(1, len(sc.Datacenters))}
	if s.OnClockBackward.set {
		p, err := snowflake.ParsePolicy(s.OnClockBackward.v)
		if err != nil {
			return errAt(s.OnClockBackward.p, "%v", err)
		}
		sf.OnBackward = p
	}
	waits := sf.OnBackward == snowflake.Wait || sf.OnBackward == snowflake.WaitThenError
	switch {
	case waits && !s.MaxWait.set:
		return errAt(s.OnClockBackward.p, "on_clock_backward: %v needs max_wait, the longest a call may wait for the clock, e.g. max_wait: 5s", sf.OnBackward)
	case waits && s.MaxWait.v <= 0:
		return errAt(s.MaxWait.p, "max_wait must be positive")
	case !waits && s.MaxWait.set:
		return errAt(s.MaxWait.p, "max_wait only applies to on_clock_backward: wait or wait_then_error")
	}
	sf.MaxWait = s.MaxWait.v
	if s.Variant.set {
		return buildFaultySnowflake(s, sc, out, sf, countPos)
	}
	ids, err := buildWorkerIDs(s.WorkerIDs, sc)
	if err != nil {
		return err
	}
	if ids.Strategy == coord.Static {
		for _, id := range sc.Identities() {
			if _, _, err := sf.Fields(id); err != nil {
				return errAt(countPos, "%d workers do not fit scheme %q (line %d): %v", sc.Workers, out.Label, out.Line, err)
			}
		}
	}
	out.IDBits, out.Sim, out.Snowflake, out.Ordered = 64, *sf, sf, true
	out.Config = fmt.Sprintf("layout %s, on_clock_backward %s", l.Name, sf.OnBackward)
	if waits {
		out.Config += fmt.Sprintf(", max_wait %v", sf.MaxWait)
	}
	if s.WorkerIDs.set {
		c := schemes.Coordinated{Snowflake: *sf, IDs: ids}
		if ids.PerDatacenter {
			for _, id := range sc.Identities() {
				if lo, hi := c.Range(id); hi <= lo {
					return errAt(s.WorkerIDs.PerDatacenter.p, "%d datacenters leave no node IDs per datacenter in layout %s (%d node IDs)", len(sc.Datacenters), l.Name, int64(1)<<l.NodeBits())
				}
			}
		}
		out.Sim, out.WorkerIDs = c, &c.IDs
		out.Config += ", " + ids.Describe()
	}
	return nil
}

// buildFaultySnowflake fills in a snowflake scheme that runs a
// deliberately broken generator (variant).
func buildFaultySnowflake(s schemeSpec, sc *Scenario, out *Scheme, sf *schemes.Snowflake, countPos pos) error {
	bug, ok := faulty.Bugs[s.Variant.v]
	if !ok {
		return errAt(s.Variant.p, "unknown snowflake variant %q (one of: %s)", s.Variant.v, strings.Join(sortedKeys(faulty.Bugs), ", "))
	}
	for _, k := range []struct {
		name string
		set  bool
		p    pos
	}{{"on_clock_backward", s.OnClockBackward.set, s.OnClockBackward.p}, {"worker_ids", s.WorkerIDs.set, s.WorkerIDs.p}} {
		if k.set {
			return errAt(k.p, "variant %s has its own behaviour; it does not take %s", s.Variant.v, k.name)
		}
	}
	unchecked := (bug == faulty.UnmaskedWorker || bug == faulty.NarrowWorkerShift) && sf.Layout.Datacenter.Bits == 0
	if !unchecked {
		for _, id := range sc.Identities() {
			if _, _, err := sf.Fields(id); err != nil {
				return errAt(countPos, "%d workers do not fit scheme %q (line %d): %v", sc.Workers, out.Label, out.Line, err)
			}
		}
	}
	out.IDBits, out.Snowflake, out.Ordered = 64, sf, true
	out.Sim = schemes.FaultySnowflake{Snowflake: *sf, Bug: bug}
	out.Variant = s.Variant.v
	out.Config = fmt.Sprintf("layout %s, faulty variant %s", sf.Layout.Name, s.Variant.v)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Worker-ID strategies as scenario files name them.
var workerIDStrategies = []string{"static", "ephemeral_sequential_mod", "claim_lowest_free", "lease"}

// buildWorkerIDs checks a worker_ids mapping and fills in defaults.
func buildWorkerIDs(w workerIDs, sc *Scenario) (schemes.WorkerIDs, error) {
	ids := schemes.WorkerIDs{Strategy: coord.Static, Latency: sc.Network}
	if !w.set {
		return ids, nil
	}
	strategy := "static"
	if w.Strategy.set {
		strategy = w.Strategy.v
	}
	switch strategy {
	case "static":
	case "ephemeral_sequential_mod":
		ids.Strategy = coord.SequentialMod
	case "claim_lowest_free":
		ids.Strategy = coord.LowestFree
	case "lease":
		ids.Strategy, ids.Fence, ids.Lease = coord.LowestFree, true, true
	default:
		return ids, errAt(w.Strategy.p, "unknown worker_ids strategy %q (one of: %s)", strategy, strings.Join(workerIDStrategies, ", "))
	}
	session := ids.Strategy != coord.Static || w.PersistLastTimestamp.v
	for _, k := range []struct {
		name string
		set  bool
		p    pos
	}{{"ttl", w.TTL.set, w.TTL.p}, {"heartbeat", w.Heartbeat.set, w.Heartbeat.p}, {"per_datacenter", w.PerDatacenter.set, w.PerDatacenter.p}} {
		if k.set && !session {
			return ids, errAt(k.p, "%s applies to strategies with sessions (ephemeral_sequential_mod, claim_lowest_free, lease) or to persist_last_timestamp, not to plain static IDs", k.name)
		}
	}
	if w.SafetyMargin.set && strategy != "lease" {
		return ids, errAt(w.SafetyMargin.p, "safety_margin applies to strategy lease")
	}
	if w.FirstSequence.set && ids.Strategy != coord.SequentialMod {
		return ids, errAt(w.FirstSequence.p, "first_sequence applies to strategy ephemeral_sequential_mod")
	}
	ids.TTL, ids.Heartbeat = 10*time.Second, 0
	if w.TTL.set {
		if w.TTL.v <= 0 {
			return ids, errAt(w.TTL.p, "ttl must be positive")
		}
		ids.TTL = w.TTL.v
	}
	ids.Heartbeat = ids.TTL / 3
	if w.Heartbeat.set {
		if w.Heartbeat.v <= 0 || w.Heartbeat.v >= ids.TTL {
			return ids, errAt(w.Heartbeat.p, "heartbeat must be positive and shorter than ttl (%v)", ids.TTL)
		}
		ids.Heartbeat = w.Heartbeat.v
	}
	if ids.Fence {
		ids.Margin = ids.TTL / 3
		if w.SafetyMargin.set {
			if w.SafetyMargin.v == "none" {
				ids.Fence, ids.Margin = false, 0
			} else {
				m, err := time.ParseDuration(w.SafetyMargin.v)
				if err != nil && w.SafetyMargin.v != "0" {
					return ids, errAt(w.SafetyMargin.p, "safety_margin: want a duration such as 2s, or none to issue until told the lease is gone; got %q", w.SafetyMargin.v)
				}
				if m < 0 || m >= ids.TTL-ids.Heartbeat {
					return ids, errAt(w.SafetyMargin.p, "safety_margin %v must be at least 0 and less than ttl - heartbeat (%v), or the lease could never be used", m, ids.TTL-ids.Heartbeat)
				}
				ids.Margin = m
			}
		}
	}
	ids.PerDatacenter = w.PerDatacenter.v
	if w.StartupWait.set {
		if w.StartupWait.v < 0 {
			return ids, errAt(w.StartupWait.p, "startup_wait must not be negative")
		}
		ids.StartupWait = w.StartupWait.v
	}
	if w.PersistLastTimestamp.set {
		ids.PersistLastTimestamp = w.PersistLastTimestamp.v
	}
	if w.FirstSequence.set {
		if w.FirstSequence.v < 0 {
			return ids, errAt(w.FirstSequence.p, "first_sequence must not be negative")
		}
		ids.SeqStart = w.FirstSequence.v
	}
	return ids, nil
}

// buildTickets fills in a ticket-server scheme.
func buildTickets(s schemeSpec, sc *Scenario, out *Scheme) error {
	t := schemes.Tickets{Servers: 2, Latency: sc.Network}
	if s.Servers.set {
		if s.Servers.v < 2 || s.Servers.v > 16 {
			return errAt(s.Servers.p, "servers %d out of range 2..16", s.Servers.v)
		}
		t.Servers = int(s.Servers.v)
	}
	if s.Variant.set {
		if s.Variant.v != "same_offset" {
			return errAt(s.Variant.p, "unknown tickets variant %q (one of: same_offset)", s.Variant.v)
		}
		t.SameOffset, out.Variant = true, s.Variant.v
	}
	out.IDBits, out.Sim = 64, t
	out.Config = fmt.Sprintf("%d servers, increment %d, offsets 1..%d", t.Servers, t.Servers, t.Servers)
	if t.SameOffset {
		out.Config = fmt.Sprintf("%d servers, increment %d, every offset 1 (faulty variant same_offset)", t.Servers, t.Servers)
	}
	return nil
}

// buildBatch fills in a range allocation scheme; autoinc is a batch of
// one without prefetch.
func buildBatch(s schemeSpec, sc *Scenario, out *Scheme) error {
	cfg := rangebatch.Config{Batch: 1}
	if s.Kind.v == "rangebatch" {
		if !s.Batch.set {
			return errAt(s.p, "rangebatch needs batch, the number of IDs per range, e.g. batch: 1000")
		}
		if s.Batch.v < 1 || s.Batch.v > 1<<40 {
			return errAt(s.Batch.p, "batch %d out of range 1..%d", s.Batch.v, int64(1)<<40)
		}
		cfg.Batch = uint64(s.Batch.v)
		if s.PrefetchAt.set {
			if s.PrefetchAt.v == 0 {
				return errAt(s.PrefetchAt.p, "prefetch_at 0 would fetch at once; leave it out to fetch only when a range is used up")
			}
			cfg.PrefetchAt = s.PrefetchAt.v
		}
	}
	out.IDBits, out.Ordered = 64, true
	rb := schemes.RangeBatch{Config: cfg, Latency: sc.Network, First: 1}
	if s.Variant.set {
		if s.Variant.v != "read_then_write" {
			return errAt(s.Variant.p, "unknown %s variant %q (one of: read_then_write)", s.Kind.v, s.Variant.v)
		}
		// The write lands a network round trip after the read: a client
		// that reads, then writes back over the same link.
		rb.ReadThenWrite, out.Variant = 2*sc.Network.Base, s.Variant.v
	}
	out.Sim = rb
	out.Batch = &cfg
	switch {
	case s.Kind.v == "autoinc":
		out.Config = "one round trip per ID"
	case cfg.PrefetchAt > 0:
		out.Config = fmt.Sprintf("batch %d, prefetch at %g", cfg.Batch, cfg.PrefetchAt)
	default:
		out.Config = fmt.Sprintf("batch %d, no prefetch", cfg.Batch)
	}
	out.Config += fmt.Sprintf(", latency %v", time.Duration(sc.Network.Base))
	if sc.Network.Jitter > 0 {
		out.Config += fmt.Sprintf(" + up to %v", time.Duration(sc.Network.Jitter))
	}
	if out.Variant != "" {
		out.Config += ", faulty variant " + out.Variant
	}
	return nil
}

// buildRandom fills in a UUID or ULID scheme.
func buildRandom(s schemeSpec, out *Scheme) error {
	width := map[string]int{"uuidv4": 122, "uuidv7": 62, "ulid": 80}[s.Kind.v]
	bits := width
	if s.RandomBits.set {
		if s.RandomBits.v < 1 || s.RandomBits.v > int64(width) {
			return errAt(s.RandomBits.p, "random_bits %d out of range 1..%d for %s", s.RandomBits.v, width, s.Kind.v)
		}
		bits = int(s.RandomBits.v)
	}
	truncate := 0
	if bits < width {
		truncate = bits
	}
	policy := "clamp"
	if s.OnClockBackward.set {
		policy = s.OnClockBackward.v
	}
	out.IDBits, out.RandomBits, out.Ordered = 128, bits, s.Kind.v != "uuidv4"
	switch s.Kind.v {
	case "uuidv4":
		out.Sim = schemes.UUIDv4{RandomBits: truncate}
		out.Config = fmt.Sprintf("%d random bits", bits)
		return nil
	case "uuidv7":
		if s.Variant.set {
			bug, ok := faulty.V7Bugs[s.Variant.v]
			if !ok {
				return errAt(s.Variant.p, "unknown uuidv7 variant %q (one of: %s)", s.Variant.v, strings.Join(sortedKeys(faulty.V7Bugs), ", "))
			}
			if s.OnClockBackward.set || s.RandomBits.set {
				return errAt(s.Variant.p, "variant %s has its own behaviour; it takes no on_clock_backward or random_bits", s.Variant.v)
			}
			out.Sim, out.Variant = schemes.FaultyV7{Bug: bug}, s.Variant.v
			out.Config = "faulty variant " + s.Variant.v
			return nil
		}
		p, err := uuid.ParseV7Policy(policy)
		if err != nil {
			return errAt(s.OnClockBackward.p, "%v", err)
		}
		out.Sim = schemes.UUIDv7{OnBackward: p, RandomBits: truncate}
	case "ulid":
		p, err := ulid.ParsePolicy(policy)
		if err != nil {
			return errAt(s.OnClockBackward.p, "%v", err)
		}
		out.Sim = schemes.ULID{OnBackward: p, RandomBits: truncate}
	}
	out.Config = fmt.Sprintf("on_clock_backward %s, %d random bits", policy, bits)
	return nil
}

// buildLayout resolves a preset name or builds and validates a custom
// layout, reporting problems at the offending key.
func buildLayout(ls layoutSpec) (snowflake.Layout, error) {
	if ls.custom == nil {
		l, ok := snowflake.Preset(ls.preset.v)
		if !ok {
			return l, errAt(ls.p, "unknown layout %q (one of: %s, or a custom mapping)", ls.preset.v, strings.Join(snowflake.PresetNames(), ", "))
		}
		return l, nil
	}
	c := ls.custom
	for _, req := range []struct {
		name string
		set  bool
	}{{"epoch", c.Epoch.set}, {"unit", c.Unit.set}, {"time_bits", c.TimeBits.set}, {"sequence_bits", c.SequenceBits.set}} {
		if !req.set {
			return snowflake.Layout{}, errAt(c.p, "custom layout needs %s (it takes epoch, unit, time_bits, datacenter_bits, worker_bits, sequence_bits, optional *_shift and unsigned)", req.name)
		}
	}
	bitsOf := func(i integer, name string) (uint8, error) {
		if i.v < 0 || i.v > 64 {
			return 0, errAt(i.p, "%s %d out of range 0..64", name, i.v)
		}
		return uint8(i.v), nil
	}
	var widths [4]uint8
	for k, x := range []struct {
		i    integer
		name string
	}{{c.TimeBits, "time_bits"}, {c.DatacenterBits, "datacenter_bits"}, {c.WorkerBits, "worker_bits"}, {c.SequenceBits, "sequence_bits"}} {
		b, err := bitsOf(x.i, x.name)
		if err != nil {
			return snowflake.Layout{}, err
		}
		widths[k] = b
	}
	name := c.Name.v
	if name == "" {
		name = "custom"
	}
	total := int(widths[0]) + int(widths[1]) + int(widths[2]) + int(widths[3])
	shifts := []integer{c.TimeShift, c.DatacenterShift, c.WorkerShift, c.SequenceShift}
	anyShift := false
	for _, s := range shifts {
		anyShift = anyShift || s.set
	}
	var l snowflake.Layout
	if anyShift {
		l = snowflake.Layout{Name: name, Epoch: c.Epoch.v, Unit: c.Unit.v}
		fields := []*snowflake.Field{&l.Time, &l.Datacenter, &l.Worker, &l.Sequence}
		names := []string{"time_shift", "datacenter_shift", "worker_shift", "sequence_shift"}
		for k, s := range shifts {
			if widths[k] == 0 {
				continue
			}
			if !s.set {
				return l, errAt(c.p, "custom layout gives some shifts but not %s: give all or none", names[k])
			}
			if s.v < 0 || s.v > 63 {
				return l, errAt(s.p, "%s %d out of range 0..63", names[k], s.v)
			}
			*fields[k] = snowflake.Field{Shift: uint8(s.v), Bits: widths[k]}
		}
	} else {
		if total > 64 {
			return l, errAt(c.TimeBits.p, "the fields add up to %d bits; an ID has 64 (63 unless unsigned: true)", total)
		}
		l = snowflake.Packed(name, c.Epoch.v, c.Unit.v, widths[0], widths[1], widths[2], widths[3])
	}
	l.Unsigned = c.Unsigned.v
	if err := l.Validate(); err != nil {
		var le *snowflake.LayoutError
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
				at = c.Unit.p
			case "epoch":
				at = c.Epoch.p
			}
			return l, errAt(at, "layout %s: %s", le.Field, le.Msg)
		}
		return l, errAt(at, "%v", err)
	}
	return l, nil
}

// pick returns the position of the shift if it was given, else of the
// width.
func pick(shift, width integer) pos {
	if shift.set {
		return shift.p
	}
	return width.p
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
	for i, fs := range f.Faults.v {
		if !fs.Kind.set {
			return errAt(fs.p, "fault needs a kind (one of: %s)", strings.Join(faultKinds(), ", "))
		}
		keys, ok := faultKeys[fs.Kind.v]
		if !ok {
			return errAt(fs.Kind.p, "unknown fault kind %q (one of: %s)", fs.Kind.v, strings.Join(faultKinds(), ", "))
		}
		given := map[string]pos{}
		for name, p := range map[string]struct {
			set bool
			p   pos
		}{
			"at": {fs.At.set, fs.At.p}, "for": {fs.For.set, fs.For.p}, "workers": {fs.Workers.set, fs.Workers.p},
			"by": {fs.By.set, fs.By.p}, "rate": {fs.Rate.set, fs.Rate.p}, "pattern": {fs.Pattern.set, fs.Pattern.p},
			"ppm": {fs.PPM.set, fs.PPM.p}, "downtime": {fs.Downtime.set, fs.Downtime.p},
			"stagger": {fs.Stagger.set, fs.Stagger.p}, "every": {fs.Every.set, fs.Every.p}, "times": {fs.Times.set, fs.Times.p},
			"probability": {fs.Probability.set, fs.Probability.p},
		} {
			if p.set {
				given[name] = p.p
			}
		}
		for _, name := range []string{"at", "for", "workers", "by", "rate", "pattern", "ppm", "downtime", "stagger", "every", "times", "probability"} {
			if p, ok := given[name]; ok && !slices.Contains(keys.allowed, name) {
				return errAt(p, "%s does not take %s (it takes %s)", fs.Kind.v, name, strings.Join(keys.allowed, ", "))
			}
		}
		for _, name := range keys.required {
			if _, ok := given[name]; !ok {
				return errAt(fs.p, "%s needs %s (it takes %s)", fs.Kind.v, name, strings.Join(keys.allowed, ", "))
			}
		}
		var workers faults.Workers
		if !fs.Workers.all {
			workers = fs.Workers.v
		}
		var fault faults.Fault
		switch fs.Kind.v {
		case "clock_step":
			fault = faults.ClockStep{At: fs.At.v, Workers: workers, By: fs.By.v}
		case "duplicate_worker_id":
			if fs.Workers.all {
				return errAt(fs.Workers.p, "list the workers that share an ID, e.g. [3, 7]")
			}
			fault = faults.DuplicateWorkerID{At: fs.At.v, Workers: workers}
		case "sequence_flood":
			pattern := sim.Constant
			if fs.Pattern.set {
				p, err := sim.ParsePattern(fs.Pattern.v)
				if err != nil {
					return errAt(fs.Pattern.p, "%v", err)
				}
				pattern = p
			}
			fault = faults.SequenceFlood{At: fs.At.v, For: fs.For.v, Workers: workers, Rate: fs.Rate.v, Pattern: pattern}
		case "clock_drift":
			fault = faults.ClockDrift{At: fs.At.v, For: fs.For.v, Workers: workers, PPM: fs.PPM.v}
		case "clock_freeze":
			fault = faults.ClockFreeze{At: fs.At.v, For: fs.For.v, Workers: workers}
		case "pause":
			fault = faults.Pause{At: fs.At.v, For: fs.For.v, Workers: workers}
		case "restart":
			fault = faults.Restart{At: fs.At.v, Workers: workers, Downtime: fs.Downtime.v, Stagger: fs.Stagger.v, Every: fs.Every.v, Times: fs.Times.v}
		case "db_outage":
			fault = faults.DatabaseOutage{At: fs.At.v, For: fs.For.v}
		case "coordinator_partition":
			fault = faults.CoordinatorPartition{At: fs.At.v, For: fs.For.v, Workers: workers}
		case "renewal_loss":
			fault = faults.RenewalLoss{At: fs.At.v, For: fs.For.v, Workers: workers, Probability: fs.Probability.v}
		case "network_delay":
			fault = faults.NetworkDelay{At: fs.At.v, For: fs.For.v, Workers: workers, By: fs.By.v}
		}
		if err := fault.Validate(env); err != nil {
			at := fs.p
			var fe *faults.FieldError
			if errors.As(err, &fe) {
				if p, ok := given[fe.Field]; ok {
					at = p
				}
				return errAt(at, "%s: %s", fs.Kind.v, fe.Msg)
			}
			return errAt(at, "%s: %v", fs.Kind.v, err)
		}
		sc.Faults = append(sc.Faults, Fault{ID: fmt.Sprintf("%s#%d", fs.Kind.v, i+1), Line: fs.p.line, Fault: fault})
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
			if s.Label == e.label.v {
				i = k
			}
		}
		if i < 0 {
			return errAt(e.label.p, "expect names scheme %q, which the scenario does not have (it has %s)", e.label.v, strings.Join(labels, ", "))
		}
		if seen[e.label.v] {
			return errAt(e.label.p, "expectations for %q are given twice", e.label.v)
		}
		seen[e.label.v] = true
		x := e.expect
		var list []Expectation
		addBool := func(key string, b boolean) {
			if b.set {
				list = append(list, Expectation{Key: key, Want: fmt.Sprint(b.v), Line: b.p.line, boolean: b.v})
			}
		}
		addCmp := func(key string, c comparison) {
			if c.set {
				list = append(list, Expectation{Key: key, Want: c.String(), Line: c.p.line, cmp: c})
			}
		}
		addBool("unique", x.Unique)
		addBool("monotonic", x.Monotonic)
		if x.WithinCeiling.set && sc.Schemes[i].Snowflake == nil {
			return errAt(x.WithinCeiling.p, "within_ceiling applies to snowflake schemes, whose layouts have a ceiling; %q is %s", e.label.v, sc.Schemes[i].Kind)
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
		if x.Linearizable.set && sc.Schemes[i].Batch == nil && sc.Schemes[i].Kind != "tickets" {
			return errAt(x.Linearizable.p, "linearizable applies to central allocators (rangebatch, autoinc, tickets); %q is %s", e.label.v, sc.Schemes[i].Kind)
		}
		addBool("linearizable", x.Linearizable)
		if len(list) == 0 {
			return errAt(x.p, "no expectations for %q: use unique, monotonic, within_ceiling, duplicates, monotonic_violations, errors, generated, unserved, delayed_calls, late_ids, gaps or linearizable", e.label.v)
		}
		sc.Schemes[i].Expect = list
	}
	return nil
}

// DurationString renders a span of true time compactly ("1.5s", "250ms").
func DurationString(ns int64) string { return time.Duration(ns).String() }
