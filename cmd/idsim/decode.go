package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/sim/audit"
)

func formatNames() string {
	return strings.Join(append(snowflake.PresetNames(), "uuid", "ulid"), ", ")
}

func cmdDecode(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("decode", "decode ID... [--layout NAME]", `Splits IDs into their fields and prints the embedded time in UTC.
It recognises UUIDs (any version; versions 1, 6 and 7 carry a time) and
ULIDs by their text. A number (decimal, or hex with 0x) is a Snowflake ID:
without --layout every preset that decodes it to a time between its epoch
and now is shown. Formats: `+formatNames(), stderr)
	layout := fs.String("layout", "", "the format the IDs were made with: "+formatNames())
	ids, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if *layout != "" && *layout != "uuid" && *layout != "ulid" {
		if _, ok := snowflake.Preset(*layout); !ok {
			fmt.Fprintf(stderr, "idsim decode: unknown format %q (one of: %s)\n", *layout, formatNames())
			return exitUsage
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(stderr, "idsim decode: give at least one ID, e.g. idsim decode 175928847299117063 --layout discord")
		return exitUsage
	}
	status := exitOK
	for i, s := range ids {
		out, err := decode(s, *layout, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "idsim decode: %v\n", err)
			status = exitUsage
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprint(stdout, out)
	}
	return status
}

// decode describes one ID in the given format, or recognises the format
// when it is empty. now bounds plausible Snowflake times.
func decode(s, format string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case format == "uuid":
		return decodeUUID(s)
	case format == "ulid":
		return decodeULID(s)
	case format != "":
		l, _ := snowflake.Preset(format)
		id, err := parseInt(s)
		if err != nil {
			return "", err
		}
		return decodeSnowflake(id, l)
	}
	// The text is read as idsim check reads it (sim/audit.ParseID), so
	// that the two commands never disagree on what an ID is.
	switch _, kind, _ := audit.ParseID(s); kind {
	case audit.UUID:
		return decodeUUID(s)
	case audit.ULID:
		return decodeULID(s)
	}
	id, err := parseInt(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a UUID, a ULID or a 64-bit number", s)
	}
	var found []string
	for _, l := range snowflake.Presets() {
		p, err := l.Decode(id)
		if err != nil || p.Time.After(now.Add(24*time.Hour)) {
			continue
		}
		out, _ := decodeSnowflake(id, l)
		found = append(found, out)
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%d does not decode to a past time under any Snowflake preset; name the layout with --layout", id)
	case 1:
		return found[0], nil
	}
	return fmt.Sprintf("%d Snowflake layouts decode %d to a past time; pass --layout to choose.\n\n%s", len(found), id, strings.Join(found, "\n")), nil
}

func parseInt(s string) (uint64, error) {
	id, err := audit.ParseNumber(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a 64-bit unsigned integer (decimal, or hex with 0x)", s)
	}
	return id, nil
}

// table renders rows of label and value.
func table(rows ...[2]string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	tw.Flush()
	return b.String()
}

func decodeSnowflake(id uint64, l snowflake.Layout) (string, error) {
	p, err := l.Decode(id)
	if err != nil {
		return "", err
	}
	rows := [][2]string{
		{"id", fmt.Sprintf("%d (%#x)", id, id)},
		{"format", "snowflake, layout " + l.Name},
		{"time", p.Time.Format(time.RFC3339Nano)},
		{"tick", fmt.Sprintf("%d × %v since %s", p.Tick, l.Unit, l.Epoch.UTC().Format(time.RFC3339Nano))},
	}
	if l.Datacenter.Bits > 0 {
		rows = append(rows, [2]string{l.DatacenterName(), fmt.Sprint(p.Datacenter)})
	}
	rows = append(rows, [2]string{l.WorkerName(), fmt.Sprint(p.Worker)}, [2]string{l.SequenceName(), fmt.Sprint(p.Sequence)})
	return table(rows...), nil
}

func decodeUUID(s string) (string, error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return "", err
	}
	hi, lo := u.HiLo()
	rows := [][2]string{
		{"id", u.String()},
		{"format", fmt.Sprintf("UUID version %d, %s variant", u.Version(), u.Variant())},
	}
	if t, ok := u.Time(); ok {
		rows = append(rows, [2]string{"time", t.Format(time.RFC3339Nano)})
	}
	switch u.Version() {
	case 7:
		rows = append(rows,
			[2]string{"unix_ts_ms", fmt.Sprint(hi >> 16)},
			[2]string{"rand_a", fmt.Sprintf("%#03x (as a sub-millisecond fraction, RFC 9562 method 3: %d/4096 ms)", hi&0xFFF, hi&0xFFF)},
			[2]string{"rand_b", fmt.Sprintf("%#016x", lo&(1<<62-1))})
	case 1, 6:
		rows = append(rows,
			[2]string{"clock_seq", fmt.Sprint(lo >> 48 & 0x3FFF)},
			[2]string{"node", fmt.Sprintf("%012x", lo&(1<<48-1))})
	case 4:
		rows = append(rows, [2]string{"random", "122 bits"})
	}
	return table(rows...), nil
}

func decodeULID(s string) (string, error) {
	u, err := ulid.Parse(s)
	if err != nil {
		return "", err
	}
	hi, lo := u.HiLo()
	return table(
		[2]string{"id", u.String()},
		[2]string{"format", "ULID"},
		[2]string{"time", fmt.Sprintf("%s (%d ms)", u.Time().Format(time.RFC3339Nano), u.Timestamp())},
		[2]string{"random", fmt.Sprintf("%#04x%016x (80 bits)", hi&0xFFFF, lo)},
	), nil
}
