package uuid_test

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/uuid"
)

// A version 7 generator on the system clock with secure randomness.
func ExampleNewV7() {
	g, err := uuid.NewV7(uuid.V7Config{}, clock.System{}, entropy.Secure())
	if err != nil {
		panic(err)
	}
	a, _ := g.Next()
	b, _ := g.Next()
	fmt.Println(a.Version(), a.String() < b.String())
	// Output: 7 true
}

// The clamp policy keeps UUIDs increasing when the clock steps back.
func ExampleV7Policy() {
	clk := &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	g, _ := uuid.NewV7(uuid.V7Config{OnBackward: uuid.Clamp}, clk, entropy.Secure())
	before, _ := g.Next()
	clk.Step(-time.Hour)
	after, _ := g.Next()
	t, _ := after.Time()
	fmt.Println(before.String() < after.String(), t.Format(time.RFC3339))
	// Output: true 2026-01-01T00:00:00Z
}

func ExampleParse() {
	u, _ := uuid.Parse("017F22E2-79B0-7CC3-98C4-DC0C0C07398F") // RFC 9562, A.6
	t, _ := u.Time()
	fmt.Println(u.Version(), t.Format(time.RFC3339))
	// Output: 7 2022-02-22T19:22:22Z
}
