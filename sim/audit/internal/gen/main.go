// Command gen writes a log of decimal Twitter-layout Snowflake IDs, one
// per line, for measuring idsim check: -workers workers each issuing
// -rate IDs per millisecond, interleaved in time order as a shared log
// would hold them, starting at -start. -dups plants that many repeats of
// earlier IDs at random places. It is a measuring aid, not part of idsim.
//
//	go run ./sim/audit/internal/gen -n 10000000 > ids.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
)

func main() {
	n := flag.Int64("n", 10_000_000, "lines to write")
	workers := flag.Int("workers", 64, "workers (node IDs 0..workers-1)")
	rate := flag.Int("rate", 16, "IDs per worker per millisecond (at most 4096)")
	dups := flag.Int64("dups", 0, "planted repeats of earlier IDs")
	seed := flag.Uint64("seed", 1, "seed for the order of workers within a millisecond and the planted repeats")
	startFlag := flag.String("start", "2026-01-01T00:00:00Z", "time of the first ID")
	flag.Parse()
	start, err := time.Parse(time.RFC3339, *startFlag)
	if err != nil || *workers < 1 || *workers > 1024 || *rate < 1 || *rate > 4096 {
		fmt.Fprintln(os.Stderr, "gen: bad flags")
		os.Exit(2)
	}
	l := snowflake.Twitter
	rng := rand.New(rand.NewPCG(*seed, 0))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	tick := uint64(start.Sub(l.Epoch) / l.Unit)
	order := make([]int, *workers)
	for i := range order {
		order[i] = i
	}
	// Planted repeats go at random lines; each repeats a recent ID.
	every := int64(0)
	if *dups > 0 {
		every = *n / *dups
	}
	var recent [1024]uint64
	var buf []byte
	line := int64(0)
	for ms := uint64(0); line < *n; ms++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for seq := 0; seq < *rate && line < *n; seq++ {
			for _, wk := range order {
				if line >= *n {
					break
				}
				id := (tick+ms)<<l.Time.Shift | uint64(wk)<<l.Worker.Shift | uint64(seq)
				if every > 0 && line%every == every-1 && line > 1024 {
					id = recent[rng.IntN(len(recent))]
				}
				recent[line%1024] = id
				buf = strconv.AppendUint(buf[:0], id, 10)
				buf = append(buf, '\n')
				w.Write(buf)
				line++
			}
		}
	}
}
