package scenarios

import (
	"fmt"
	"math"
	"testing"
)

// With b random bits, n random IDs hold n - 2^b(1 - (1-2^-b)^n) extra
// copies on average (the birthday problem), about n²/2^(b+1) when that is
// small. Over many seeds the harness must measure that, within
// statistical tolerance: the count is close to Poisson, so the mean of k
// runs has a standard deviation of about sqrt(E/k).
func TestBirthdayBoundAcrossSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("80 runs; the race detector makes them slow")
	}
	for _, tt := range []struct {
		kind string
		bits int
	}{{"uuidv4", 20}, {"uuidv4", 24}} {
		sc, err := Parse("birthday.yaml", []byte(fmt.Sprintf(`name: birthday
duration: 1s
workers: {count: 4}
load: {per_worker: 2500/s, pattern: constant}
schemes:
  - {label: random, kind: %s, random_bits: %d}
`, tt.kind, tt.bits)))
		if err != nil {
			t.Fatal(err)
		}
		const seeds = 40
		var sum float64
		var bound float64
		for seed := uint64(1); seed <= seeds; seed++ {
			res, err := Run(sc, Options{Seed: seed, SeedSet: true})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Runs[0]
			if r.Generated != 10000 {
				t.Fatalf("generated %d, want 10000", r.Generated)
			}
			sum += float64(r.Duplicates)
			bound = r.BirthdayExpected
		}
		n, m := 10000.0, math.Ldexp(1, tt.bits)
		exact := n - m*(1-math.Pow(1-1/m, n))
		if want := n * n / (2 * m); math.Abs(bound-want) > 1e-9 {
			t.Errorf("%d bits: reported bound %v, want n²/2^(b+1) = %v", tt.bits, bound, want)
		}
		mean := sum / seeds
		tol := 4 * math.Sqrt(exact/seeds)
		t.Logf("%s %d bits: mean %.2f duplicates over %d seeds; expected %.2f (bound %.2f), tolerance %.2f", tt.kind, tt.bits, mean, seeds, exact, bound, tol)
		if math.Abs(mean-exact) > tol {
			t.Errorf("%d bits: mean %.2f duplicates, expected %.2f ± %.2f", tt.bits, mean, exact, tol)
		}
	}
}
