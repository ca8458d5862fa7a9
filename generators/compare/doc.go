// Package compare holds no code: its benchmarks run idsim's generators
// beside the most used Go libraries for the same schemes, on the real
// clock, in one go test -bench run:
//
//	go test -run XX -bench . ./generators/compare
//
// Snowflake benchmarks saturate one generator and report the fraction of
// its layout's ceiling they reach (ceiling-fraction); UUID and ULID
// benchmarks report ns/op. The libraries are test-only dependencies; no
// idsim package imports them.
package compare
