// Package compare holds no code: its benchmarks run idsim's generators
// beside the most used Go libraries for the same schemes, on the real
// clock, in one go test -bench run:
//
//	cd generators/compare && go test -run XX -bench .
//
// Snowflake benchmarks saturate one generator and report the fraction of
// its layout's ceiling they reach (ceiling-fraction); UUID and ULID
// benchmarks report ns/op. The libraries are test-only dependencies of
// this module of its own (github.com/idsim/idsim/generators/compare),
// which nothing imports, so their versions reach no user's build.
package compare
