package main

import (
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/sim/audit"
)

// FuzzDecodeAgreesWithCheck holds decode to idsim check's reading of ID
// text: what check takes for a UUID or a ULID decode decodes, what check
// takes for a number decode reads as one, and what check refuses decode
// refuses as no ID at all.
func FuzzDecodeAgreesWithCheck(f *testing.F) {
	for _, s := range []string{"175928847299117063", "0x1bd893690fc00001", "01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f", "12345678901234567890123456", "0755", "1_000", "", " 42 ", "0X1F"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		_, kind, err := audit.ParseID(s)
		_, derr := decode(s, "", now)
		notID := derr != nil && strings.Contains(derr.Error(), "is not a UUID, a ULID or a 64-bit number")
		switch {
		case err != nil && !notID:
			t.Errorf("check refuses %q (%v) but decode says %v", s, err, derr)
		case err == nil && kind != audit.Number && derr != nil:
			t.Errorf("check reads %q as %v but decode fails: %v", s, kind, derr)
		case err == nil && kind == audit.Number && notID:
			t.Errorf("check reads %q as a number but decode says %v", s, derr)
		}
	})
}
