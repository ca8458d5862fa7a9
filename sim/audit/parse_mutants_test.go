package audit

import (
	"strings"
	"testing"
)

// TestParseLineEdges pins what the mutation run over parse.go found
// untested: a missing column is its own error, quotes inside white
// space are removed, and every ASCII white space character is trimmed
// at either end.
func TestParseLineEdges(t *testing.T) {
	if _, _, err := ParseLine("1,2", 5); err == nil || !strings.Contains(err.Error(), "no column 5") {
		t.Errorf("column 5 of a 2-column line: %v", err)
	}
	for _, line := range []string{"123\t", "123\v", ` "123" `, "\t\"123\"\r", "\r123", "\v\f 123 \r\n", "123\r", "\u00a0123\u2003"} {
		id, kind, err := ParseLine(line, 0)
		if err != nil || kind != Number || id.Lo != 123 || id.Hi != 0 {
			t.Errorf("ParseLine(%q) = %v, %v, %v; want 123", line, id, kind, err)
		}
	}
	if _, _, err := ParseLine(" ", 0); err != errEmpty {
		t.Errorf("a line of one blank: %v, want the empty-line error", err)
	}
}

// TestParseIDErrors pins the message each malformed text gets — what
// the mutation run found untested: each says which reading failed.
func TestParseIDErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"0xZZ", "is not a 64-bit hexadecimal number"},
		{"0x", "is not a 64-bit hexadecimal number"},
		{"0x1ffffffffffffffff", "is not a 64-bit hexadecimal number"},
		{"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "is not a UUID"},
		{"{123e4567-e89b-12d3-a456-42661417400}", "is not a UUID"},
		{"urn:uuid:123e4567", "is not a UUID"},
		{"urn:uuid:", "is not a UUID"},
		{"{12}", "is not a UUID"},
		{"xrn:uuid:123e4567-e89b-12d3-a456-426614174000", ""},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAU!", ""},
		{"01ARZ3NDEKTSV4RRFFQ69G5FA!", "is not a ULID"},
		{"81ARZ3NDEKTSV4RRFFQ69G5FAV", "is not a ULID"},
	} {
		_, _, err := ParseLine(tt.text, 0)
		if err == nil || tt.want != "" && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLine(%q): %v, want an error saying %q", tt.text, err, tt.want)
		}
	}
	if _, _, err := ParseLine("", 0); err != errEmpty {
		t.Errorf("an empty line: %v", err)
	}
	// Two characters are enough for hex.
	if id, _, err := ParseLine("0x1", 0); err != nil || id.Lo != 1 {
		t.Errorf("0x1: %v %v", id, err)
	}
}

// TestZeroPaddedDecimals: a decimal padded with zeros past 20 digits
// still reads as its number, up to 20 significant digits.
func TestZeroPaddedDecimals(t *testing.T) {
	for text, want := range map[string]uint64{
		strings.Repeat("0", 21):            0,
		"0" + "18446744073709551615":       18446744073709551615,
		strings.Repeat("0", 22) + "123":    123,
		strings.Repeat("0", 30) + "424242": 424242,
	} {
		id, kind, err := ParseLine(text, 0)
		if err != nil || kind != Number || id.Lo != want {
			t.Errorf("ParseLine(%q) = %v, %v, %v; want %d", text, id, kind, err, want)
		}
	}
	if _, _, err := ParseLine("0"+"18446744073709551616", 0); err == nil {
		t.Error("2^64 padded with a zero was accepted")
	}
}

// TestULIDFirstCharacter: a ULID's first character may be up to 7 (the
// largest ULID starts with 7), not 8.
func TestULIDFirstCharacter(t *testing.T) {
	if id, kind, err := ParseLine("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", 0); err != nil || kind != ULID || id.Hi != 1<<64-1 || id.Lo != 1<<64-1 {
		t.Errorf("the largest ULID: %v, %v, %v", id, kind, err)
	}
}

// TestErrorTextTruncated: a malformed text is quoted whole in its error
// up to 60 bytes, and cut to 60 with an ellipsis beyond.
func TestErrorTextTruncated(t *testing.T) {
	for _, n := range []int{60, 61, 200} {
		text := strings.Repeat("g", n)
		_, _, err := ParseLine(text, 0)
		want := `"` + text + `" is not an ID`
		if n > 60 {
			want = `"` + text[:60] + `…" is not an ID`
		}
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d bytes: %v, want it to start %s", n, err, want)
		}
	}
}
