package audit

import (
	"strconv"
	"strings"
	"testing"

	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

// idSeeds are ID texts of every kind and the ambiguous lengths.
var idSeeds = []string{
	"175928847299117063", "0x1F", "0X00000000000000000001", "0x", "0xG", "18446744073709551615", "18446744073709551616",
	"017F22E2-79B0-7CC3-98C4-DC0C0C07398F", "017f22e279b07cc398c4dc0c0c07398f", "{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}",
	"urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f", "URN:UUID:{017f22e279b07cc398c4dc0c0c07398f}",
	"01ARZ3NDEKTSV4RRFFQ69G5FAV", "01arz3ndektsv4rrffq69g5fav", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ",
	"12345678901234567890123456", "00000000000000000000000123", "12345678901234567890123456789012",
	"000000000000000000000000000000000123", "0000000000000000000000042", "0755", "1_000", "+5", "-1",
	"", " ", "\u00a07\u2003", "\ufeff7", "not-an-id",
}

// TestParseIDRules pins the rules ParseID documents, the ambiguous
// lengths in particular.
func TestParseIDRules(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ID
		kind Kind
	}{
		{"175928847299117063", ID{Lo: 175928847299117063}, Number},
		{" 0x1f ", ID{Lo: 31}, Number},
		{"18446744073709551615", ID{Lo: 1<<64 - 1}, Number},
		{"0755", ID{Lo: 755}, Number}, // decimal, not octal
		{"0000000000000000000000042", ID{Lo: 42}, Number},
		{"000000000000000000000000000000000123", ID{Lo: 123}, Number},
		// 26 characters are a ULID, 32 a UUID, even as digits.
		{"00000000000000000000000123", ID{Lo: 1*32*32 + 2*32 + 3}, ULID},
		{"12345678901234567890123456", ID{2457006494728587398, 4798840798934306982}, ULID}, // as ulid.Parse reads it,
		{"12345678901234567890123456789012", ID{0x1234567890123456, 0x7890123456789012}, UUID},
		{"{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}", ID{0x017f22e279b07cc3, 0x98c4dc0c0c07398f}, UUID},
		{"\u00a07\u2003", ID{Lo: 7}, Number},
	} {
		id, kind, err := ParseID(tt.in)
		if err != nil || id != tt.want || kind != tt.kind {
			t.Errorf("ParseID(%q) = %v %v %v, want %v %v", tt.in, id, kind, err, tt.want, tt.kind)
		}
	}
	for _, bad := range []string{"", "18446744073709551616", "0x", "0x10000000000000000", "1_000", "+5", "-1", "0b101", "\ufeff7",
		"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "{017f22e2}", "123456789012345678901"} {
		if id, kind, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) = %v %v, want an error", bad, id, kind)
		}
	}
	if _, err := ParseNumber("01ARZ3NDEKTSV4RRFFQ69G5FAV"); err == nil || !strings.Contains(err.Error(), "is a ulid, not a 64-bit number") {
		t.Errorf("ParseNumber of a ULID: %v", err)
	}
}

// FuzzParseID holds ParseID to the parsers idsim decode prints with:
// what it reads as a UUID uuid.Parse reads to the same bits, a ULID the
// same with ulid.Parse, a number the same with strconv; and whatever
// those accept (a number being decimal or 0x hex), ParseID accepts too.
func FuzzParseID(f *testing.F) {
	for _, s := range idSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, kind, err := ParseID(s)
		ts := strings.TrimSpace(s)
		u, uerr := uuid.Parse(ts)
		l, lerr := ulid.Parse(ts)
		n, nerr := strconv.ParseUint(ts, 10, 64)
		if strings.HasPrefix(ts, "0x") || strings.HasPrefix(ts, "0X") {
			n, nerr = strconv.ParseUint(ts[2:], 16, 64)
			if strings.ContainsAny(ts[2:], "_+-") {
				nerr = strconv.ErrSyntax
			}
		}
		if err != nil {
			if uerr == nil || lerr == nil || nerr == nil {
				t.Fatalf("ParseID(%q) fails (%v) though uuid.Parse: %v, ulid.Parse: %v, ParseUint: %v", s, err, uerr, lerr, nerr)
			}
			return
		}
		switch kind {
		case UUID:
			hi, lo := u.HiLo()
			if uerr != nil || (ID{hi, lo}) != id {
				t.Fatalf("ParseID(%q) = UUID %v; uuid.Parse: %v %v", s, id, u, uerr)
			}
		case ULID:
			hi, lo := l.HiLo()
			if lerr != nil || (ID{hi, lo}) != id {
				t.Fatalf("ParseID(%q) = ULID %v; ulid.Parse: %v %v", s, id, l, lerr)
			}
		case Number:
			if id.Hi != 0 {
				t.Fatalf("ParseID(%q) = number %v with high bits", s, id)
			}
			if nerr == nil && n != id.Lo {
				t.Fatalf("ParseID(%q) = %d, ParseUint %d", s, id.Lo, n)
			}
			if nerr != nil && strings.TrimLeft(ts, "0") != strconv.FormatUint(id.Lo, 10) && !(id.Lo == 0 && strings.Trim(ts, "0") == "") {
				t.Fatalf("ParseID(%q) = %d, which ParseUint refuses (%v) and is not zero-padded", s, id.Lo, nerr)
			}
			if v, err := ParseNumber(s); err != nil || v != id.Lo {
				t.Fatalf("ParseNumber(%q) = %d %v, ParseID %d", s, v, err, id.Lo)
			}
		}
		// The bytes parser the auditor runs on agrees with the string one.
		id2, kind2, err2 := parseID(trimSpace([]byte(s)))
		if err2 != nil || id2 != id || kind2 != kind {
			t.Fatalf("parseID([]byte(%q)) = %v %v %v, ParseID %v %v", s, id2, kind2, err2, id, kind)
		}
	})
}

// FuzzDecodeAgreesWithCheck holds the two commands together: idsim check
// reads a line with ParseLine, idsim decode reads its argument with
// ParseID (and, for numbers with --layout, ParseNumber). On the text of
// one ID, without CSV quoting, they must accept the same strings and read
// the same ID of the same kind; the byte-slice parser check runs on agrees
// too, and trimming is strings.TrimSpace's.
func FuzzDecodeAgreesWithCheck(f *testing.F) {
	for _, s := range idSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, `"`) || strings.Contains(s, ",") {
			return // CSV syntax, which only check reads
		}
		a, ak, aerr := ParseLine(s, 0)
		b, bk, berr := ParseID(s)
		c, ck, cerr := parseLineBytes([]byte(s), 0)
		if (aerr == nil) != (berr == nil) || (aerr == nil) != (cerr == nil) || a != b || ak != bk || a != c || ak != ck {
			t.Fatalf("%q: check reads %v %v %v, decode %v %v %v, bytes %v %v %v", s, a, ak, aerr, b, bk, berr, c, ck, cerr)
		}
		if aerr != nil && (aerr.Error() != berr.Error() || aerr.Error() != cerr.Error()) {
			t.Fatalf("%q: errors differ: %v / %v / %v", s, aerr, berr, cerr)
		}
		if got := trimSpace(s); got != strings.TrimSpace(s) {
			t.Fatalf("trimSpace(%q) = %q, strings.TrimSpace %q", s, got, strings.TrimSpace(s))
		}
	})
}

// FuzzColumn holds the CSV column reader to strings.Split: the column-th
// field, or an error naming how many the line has.
func FuzzColumn(f *testing.F) {
	for _, s := range []string{"a,b,c", "", ",", "x,,y", "1,175928847299117063,3", `"a","b"`} {
		for col := range 5 {
			f.Add(s, col)
		}
	}
	f.Fuzz(func(t *testing.T, line string, column int) {
		column %= 10
		got, err := field(line, column)
		gotb, errb := field([]byte(line), column)
		if string(gotb) != got || (err == nil) != (errb == nil) {
			t.Fatalf("field(%q, %d): string %q %v, bytes %q %v", line, column, got, err, gotb, errb)
		}
		if column <= 0 {
			if err != nil || got != line {
				t.Fatalf("field(%q, %d) = %q %v, want the line", line, column, got, err)
			}
			return
		}
		fields := strings.Split(line, ",")
		if column > len(fields) {
			if err == nil || err.Error() != "no column "+strconv.Itoa(column)+" (the line has "+strconv.Itoa(len(fields))+")" {
				t.Fatalf("field(%q, %d) = %q %v, want an error (%d fields)", line, column, got, err, len(fields))
			}
			return
		}
		if err != nil || got != fields[column-1] {
			t.Fatalf("field(%q, %d) = %q %v, want %q", line, column, got, err, fields[column-1])
		}
	})
}
