package sim

import (
	"testing"
)

// TestRateStringParsesBack checks that a rate renders as text that
// parses back to the same rate, per second, minute or hour.
func TestRateStringParsesBack(t *testing.T) {
	for in, want := range map[string]string{
		"1/h": "1/h", "2/min": "2/min", "20000/s": "20000/s", "1.5/s": "90/min", "2.5/min": "150/h", "7/ms": "7000/s", "0.05/h": "0.05/h",
	} {
		r, err := ParseRate(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		back, err := ParseRate(r.String())
		if err != nil || back.PerSec.Cmp(r.PerSec) != 0 {
			t.Errorf("%s renders as %q, which parses to %v (%v)", in, r.String(), back.PerSec, err)
		}
		if r.String() != want {
			t.Errorf("%s renders as %q, want %q", in, r.String(), want)
		}
	}
}

// FuzzParseRate: no input panics, every accepted rate is positive and
// within bounds, and renders as text that parses back to it.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"20000/s", "1.5M/s", "100/ms", "2/min", "1/h", "0.05/h", "1e3/s", "-1/s", "3/day", "1/", "/s", "9999999999999G/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		if r.PerSec.Sign() <= 0 {
			t.Fatalf("%q accepted as %v", s, r.PerSec)
		}
		back, err := ParseRate(r.String())
		if err != nil || back.PerSec.Cmp(r.PerSec) != 0 {
			t.Fatalf("%q renders as %q, which parses to %v (%v)", s, r.String(), back.PerSec, err)
		}
	})
}
