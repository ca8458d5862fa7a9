package scenarios

import (
	"github.com/idsim/idsim/kind"
	"strings"
	"testing"
)

// Every regression scenario names its source, its faulty variant (the
// first scheme) is caught with an explained finding, and its fixed
// variant passes.
func TestRegressions(t *testing.T) {
	scs, err := LoadAll("regressions")
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) < 11 {
		t.Fatalf("%d regression scenarios, want at least 11", len(scs))
	}
	for _, sc := range scs {
		t.Run(sc.Name, func(t *testing.T) {
			src, _ := ShippedSource(strings.TrimSuffix(strings.TrimPrefix(sc.File, "embedded:"), ".yaml"))
			if !strings.HasPrefix(string(src), "# Source: ") {
				t.Errorf("%s does not start by naming its source", sc.File)
			}
			res, err := Run(sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed {
				for _, r := range res.Runs {
					for _, e := range r.Expectations {
						if !e.Passed {
							t.Errorf("%s: expected %s %s, got %s", r.Scheme, e.Key, e.Want, e.Got)
						}
					}
				}
			}
			bad, fixed := res.Runs[0], res.Runs[len(res.Runs)-1]
			var finding string
			switch {
			case len(bad.DuplicateGroups) > 0:
				finding = bad.DuplicateGroups[0].Explanation
			case len(bad.MonotonicFindings) > 0:
				finding = bad.MonotonicFindings[0].Explanation
			case bad.Gaps > 0:
				finding = "gaps"
			}
			if finding == "" {
				t.Fatalf("%s: nothing caught", bad.Scheme)
			}
			if f, ok := sc.Schemes[0].Sim.(kind.Faulty); ok && f.Why() != "" && !strings.Contains(finding, f.Why()) {
				t.Errorf("%s: the finding does not explain the variant: %s", bad.Scheme, finding)
			}
			if fixed.Duplicates != 0 || fixed.Ordered && fixed.MonotonicViolations != 0 {
				t.Errorf("%s: %d duplicates, %d out of order", fixed.Scheme, fixed.Duplicates, fixed.MonotonicViolations)
			}
		})
	}
}
