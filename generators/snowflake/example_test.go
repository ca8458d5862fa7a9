package snowflake_test

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/snowflake"
)

// A production generator: the system clock, a node ID from configuration,
// and a bounded wait when NTP steps the clock back.
func Example() {
	g, err := snowflake.New(snowflake.Config{
		Layout:     snowflake.Twitter,
		Datacenter: 1,
		Worker:     7,
		OnBackward: snowflake.Wait,
		MaxWait:    50 * time.Millisecond,
	}, clock.System{})
	if err != nil {
		panic(err)
	}
	id, err := g.Next()
	if err != nil {
		panic(err)
	}
	p, _ := snowflake.Twitter.Decode(id)
	fmt.Println(p.Datacenter, p.Worker)
	// Output: 1 7
}

// What each policy does when the clock is stepped back 1.5 s, shown with a
// manual clock.
func Example_policies() {
	for _, policy := range []snowflake.Policy{snowflake.Error, snowflake.Wait, snowflake.Ignore} {
		clk := &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
		g, _ := snowflake.New(snowflake.Config{Layout: snowflake.Twitter, OnBackward: policy, MaxWait: 2 * time.Second}, clk)
		first, _ := g.Next()
		clk.Step(-1500 * time.Millisecond)
		id, wait, err := g.TryNext()
		fmt.Printf("%-6s id<first:%-5v wait:%v err:%v\n", policy, id != 0 && id < first, wait, err)
	}
	// Output:
	// error  id<first:false wait:0s err:snowflake: clock moved backwards by 1.5s; refusing to issue IDs
	// wait   id<first:false wait:1.5s err:<nil>
	// ignore id<first:true  wait:0s err:<nil>
}

func ExampleLayout_Decode() {
	p, _ := snowflake.Discord.Decode(175928847299117063)
	fmt.Println(p.Time.Format(time.RFC3339Nano), p.Datacenter, p.Worker, p.Sequence)
	// Output: 2016-04-30T11:18:25.796Z 1 0 7
}

func ExampleLayout_Horizon() {
	l := snowflake.Twitter
	fmt.Println(l.Horizon().Format(time.RFC3339Nano), l.CeilingPerWorker())
	// Output: 2080-07-10T17:30:30.209Z 4.096e+06
}
