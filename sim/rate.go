package sim

import (
	"fmt"
	"math/big"
	"strings"
)

// Rate is a number of events per second, kept as an exact fraction so
// that "3/s" yields arrivals at exactly 333333333.33… ns apart on every
// machine.
type Rate struct {
	// PerSec is the rate in events per second; it is positive for a
	// valid rate.
	PerSec *big.Rat
}

// PerSecond returns a rate of n events per second.
func PerSecond(n int64) Rate { return Rate{big.NewRat(n, 1)} }

// Float returns the rate in events per second, for display.
func (r Rate) Float() float64 {
	if r.PerSec == nil {
		return 0
	}
	f, _ := r.PerSec.Float64()
	return f
}

// String renders the rate as a count per second, minute or hour —
// "20000/s", "1/h", "0.05/h" — that parses back to the same rate: a whole
// count if there is one, else the shortest exact decimal. (Every rate
// ParseRate accepts has one; others are rounded per hour.)
func (r Rate) String() string {
	if r.PerSec == nil {
		return "0/s"
	}
	units := []struct {
		name string
		sec  int64
	}{{"s", 1}, {"min", 60}, {"h", 3600}}
	for _, u := range units {
		if n := new(big.Rat).Mul(r.PerSec, big.NewRat(u.sec, 1)); n.IsInt() {
			return n.Num().String() + "/" + u.name
		}
	}
	for digits := 1; digits <= 15; digits++ {
		for _, u := range units {
			n := new(big.Rat).Mul(r.PerSec, big.NewRat(u.sec, 1))
			if t := n.FloatString(digits); rateEqual(t, n) {
				return t + "/" + u.name
			}
		}
	}
	return new(big.Rat).Mul(r.PerSec, big.NewRat(3600, 1)).FloatString(6) + "/h"
}

func rateEqual(decimal string, r *big.Rat) bool {
	v, ok := new(big.Rat).SetString(decimal)
	return ok && v.Cmp(r) == 0
}

// rateUnits are the accepted denominators, in nanoseconds.
var rateUnits = []struct {
	name string
	ns   int64
}{
	{"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"µs", 1e3}, {"min", 60e9}, {"h", 3600e9},
}

// ParseRate reads a rate such as "20000/s", "20k/s", "1.5M/s", "100/ms" or
// "2/min". The count may be a decimal with an optional k, M or G suffix;
// the unit is one of s, ms, us (µs), min or h.
func ParseRate(s string) (Rate, error) {
	count, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want COUNT/UNIT, e.g. 20000/s or 1.5M/s", s)
	}
	count, unit = strings.TrimSpace(count), strings.TrimSpace(unit)
	mult := int64(1)
	switch {
	case strings.HasSuffix(count, "k"):
		mult, count = 1e3, strings.TrimSuffix(count, "k")
	case strings.HasSuffix(count, "M"):
		mult, count = 1e6, strings.TrimSuffix(count, "M")
	case strings.HasSuffix(count, "G"):
		mult, count = 1e9, strings.TrimSuffix(count, "G")
	}
	n, ok := new(big.Rat).SetString(count)
	if !ok || strings.ContainsAny(count, "eE/") || count == "" {
		return Rate{}, fmt.Errorf("rate %q: %q is not a decimal number", s, count)
	}
	if n.Sign() <= 0 {
		return Rate{}, fmt.Errorf("rate %q must be positive", s)
	}
	for _, u := range rateUnits {
		if unit == u.name {
			r := new(big.Rat).Mul(n, big.NewRat(mult*1e9, u.ns))
			if r.Cmp(big.NewRat(1, 86400)) < 0 || r.Cmp(big.NewRat(1e12, 1)) > 0 {
				return Rate{}, fmt.Errorf("rate %q is outside what idsim simulates: at least one a day and at most 1e12/s (the units are s, ms, us, min and h: one a day is 0.0417/h or more)", s)
			}
			return Rate{r}, nil
		}
	}
	return Rate{}, fmt.Errorf("rate %q: unknown unit %q (want s, ms, us, min or h)", s, unit)
}
