package process

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// FuzzReadID feeds any text as a generate_batch_ok's id: readID never
// panics, and for valid JSON it reads the id exactly as parseID reads a
// generate_ok's (its quick path for plain decimals included).
func FuzzReadID(f *testing.F) {
	for _, s := range []string{
		`0`, `7`, `18446744073709551615`, `18446744073709551616`, `9999999999999999999`,
		`340282366920938463463374607431768211455`, `340282366920938463463374607431768211456`,
		`-1`, `1.5`, `1e3`, `00`, `"42"`, `"0x1f"`, `"0X"`, `"01234567-89ab-cdef-0123-456789abcdef"`,
		`"01ARZ3NDEKTSV4RRFFQ69G5FAV"`, `"n1-3"`, `{"b":1,"a":2}`, `[1,2]`, `true`, `null`, `"\u00e9"`, ``, `"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		hi, lo, form, text, err := readID(raw)
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&v) != nil || v == nil {
			return // not JSON, or null: refused (checked by the tests)
		}
		if err != nil {
			t.Fatalf("%q: readID refused valid JSON: %v", raw, err)
		}
		h2, l2, f2, t2, err2 := parseID(v)
		if err2 != nil || h2 != hi || l2 != lo || f2 != form || t2 != text {
			t.Fatalf("%q: readID gives %x %x %v %q, parseID %x %x %v %q %v", raw, hi, lo, form, text, h2, l2, f2, t2, err2)
		}
		if n, ok := smallDecimal(raw); ok {
			if m, err := strconv.ParseUint(string(raw), 10, 64); err != nil || m != n {
				t.Fatalf("%q: smallDecimal %d, strconv %d %v", raw, n, m, err)
			}
		}
	})
}
