// Package random holds what the random scheme kinds (UUIDv4, UUIDv7,
// ULID) share: the random_bits key and the explanation of duplicates
// that two workers drew.
package random

import (
	"fmt"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/spec"
)

// Bits checks random_bits against the kind's width. It returns the bits
// each ID carries and the truncation to configure the generator with (0
// for the full width).
func Bits(b spec.Int, width int, kind string) (bits, truncate int, err error) {
	bits = width
	if b.Set {
		if b.V < 1 || b.V > int64(width) {
			return 0, 0, spec.Errorf(b.P, "random_bits %d out of range 1..%d for %s", b.V, width, kind)
		}
		bits = int(b.V)
	}
	if bits < width {
		truncate = bits
	}
	return bits, truncate, nil
}

// ExplainGroup says that two workers drew the same random bits; for a
// worker repeating itself it leaves the harness's sentence.
func ExplainGroup(g *reports.DuplicateGroup, bits int) string {
	if g.OriginalWorker == g.CopyWorker {
		return ""
	}
	plural := "s"
	if g.Count == 1 {
		plural = ""
	}
	first := g.First
	s := fmt.Sprintf("Workers %d and %d drew the same random bits: %d duplicate%s, the first at %s (worker %d at %s, worker %d at %s).",
		g.OriginalWorker, g.CopyWorker, g.Count, plural, first.Copy.At, first.Original.Worker, first.Original.At, first.Copy.Worker, first.Copy.At)
	if bits > 0 {
		s += fmt.Sprintf(" The IDs carry %d random bits.", bits)
	}
	return s
}
