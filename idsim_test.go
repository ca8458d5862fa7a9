package idsim_test

import (
	"testing"

	"github.com/idsim/idsim"
)

// TestUserKindGetsSweepsAndTest runs the example's in-house kind through
// a sweep and through idsim.Test: every seed of ntp-backward makes it
// repeat IDs, and a scenario it passes fails nothing.
func TestUserKindGetsSweepsAndTest(t *testing.T) {
	registerOnce()
	sc, err := idsim.WithSchemes("ntp-backward", `[{label: ours, kind: inhouse}]`, `{ours: {duplicates: ">0"}}`)
	if err != nil {
		t.Fatal(err)
	}
	sw, err := idsim.Sweep(sc, 1, 3, idsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !sw.Passed || len(sw.Results) != 3 {
		t.Errorf("sweep: passed %v over %d seeds, want every seed to find duplicates", sw.Passed, len(sw.Results))
	}
	res := idsim.Test(t, sc)
	if res == nil || res.Runs[0].Duplicates == 0 {
		t.Errorf("no duplicates")
	}
	// Bad scheme keys of a user kind are reported like a built-in's.
	if _, err := idsim.WithSchemes("ntp-backward", `[{label: ours, kind: inhouse, layout: twitter}]`, ""); err == nil {
		t.Error("a key the kind does not take was accepted")
	}
}
