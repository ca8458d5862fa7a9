package snowflake_test

import (
	"strings"
	"testing"

	"github.com/idsim/idsim/scenarios"
)

func layoutScenario(layout string) string {
	return "name: l\nduration: 1s\nworkers: {count: 1}\nload: {per_worker: 10/s}\nschemes:\n  - {label: s, kind: snowflake, layout: " + layout + "}\n"
}

// TestLayoutTimeOnTop checks that a custom layout with a field above the
// time field — whose IDs could not be ordered by time — is refused at
// that field.
func TestLayoutTimeOnTop(t *testing.T) {
	_, err := scenarios.Parse("l.yaml", []byte(layoutScenario(
		"{epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, worker_bits: 10, sequence_bits: 12, time_shift: 0, worker_shift: 41, sequence_shift: 51}")))
	if err == nil || !strings.Contains(err.Error(), "above the time field") || !strings.Contains(err.Error(), "l.yaml:6:") {
		t.Errorf("got %v", err)
	}
	if _, err := scenarios.Parse("l.yaml", []byte(layoutScenario(
		"{epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, worker_bits: 10, sequence_bits: 12, time_shift: 22, worker_shift: 12, sequence_shift: 0}"))); err != nil {
		t.Errorf("the Twitter layout written out was refused: %v", err)
	}
}

// FuzzLayout feeds arbitrary layout mappings to the loader: it must never
// panic, and an accepted layout puts time in its highest field and fits
// the ID.
func FuzzLayout(f *testing.F) {
	for _, s := range []string{
		"twitter", "sonyflake", "{epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, worker_bits: 10, sequence_bits: 12}",
		"{epoch: 2020-01-01T00:00:00Z, unit: 10ms, time_bits: 39, datacenter_bits: 8, worker_bits: 8, sequence_bits: 8, unsigned: true}",
		"{epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, worker_bits: 10, sequence_bits: 12, time_shift: 0, worker_shift: 41, sequence_shift: 51}",
		"{epoch: 1, unit: 0s, time_bits: 64, sequence_bits: 1}", "{}", "[]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, layout string) {
		if strings.ContainsAny(layout, "\n\r") {
			return
		}
		sc, err := scenarios.Parse("f.yaml", []byte(layoutScenario(layout)))
		if err != nil {
			if _, ok := err.(*scenarios.Error); !ok {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		if d := sc.Schemes[0].Config; !strings.HasPrefix(d, "layout ") {
			t.Fatalf("config %q", d)
		}
	})
}
