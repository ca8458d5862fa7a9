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
	for _, line := range []string{` "123" `, "\t\"123\"\r", "\r123", "\v\f 123 \r\n", "123\r", "\u00a0123\u2003"} {
		id, kind, err := ParseLine(line, 0)
		if err != nil || kind != Number || id.Lo != 123 || id.Hi != 0 {
			t.Errorf("ParseLine(%q) = %v, %v, %v; want 123", line, id, kind, err)
		}
	}
	if _, _, err := ParseLine(" ", 0); err != errEmpty {
		t.Errorf("a line of one blank: %v, want the empty-line error", err)
	}
}
