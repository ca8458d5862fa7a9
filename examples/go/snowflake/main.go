// Command snowflake is a Snowflake ID service speaking idsim's process
// protocol (Maelstrom's unique-ids workload, plus idsim's clock and batch
// extensions), in Go, using only the standard library.
//
// IDs are 41 bits of milliseconds since 2020-01-01, 10 bits of worker and
// a 12-bit sequence. Time comes only from the clock idsim sends, so a run
// is reproducible from its seed and sees every clock fault. It refuses
// to issue while its clock reads earlier than the last millisecond it
// used (Maelstrom error code 11, temporarily unavailable).
//
// Its init_ok says "uses_clock": true and "batch": true, so idsim sends
// generate_batch: many clock readings in one line, answered by many IDs
// in one line — the form that makes a program fast. Flags:
//
//	--buggy     after the clock steps back, issue from the earlier time
//	            again with the sequence restarted (repeats IDs)
//	--no-batch  take only the plain form, one generate per line
//
// Build it and name it in a scenario:
//
//	go build -o snowflake-go ./examples/go/snowflake
//	schemes: [{label: go, kind: process, command: [./snowflake-go]}]
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

const epochMs = 1577836800000 // 2020-01-01T00:00:00Z

// message is what the program reads of a request.
type message struct {
	Src  string `json:"src"`
	Dest string `json:"dest"`
	Body struct {
		Type   string `json:"type"`
		MsgID  int64  `json:"msg_id"`
		NodeID string `json:"node_id"`
		Worker *int64 `json:"worker"`
		Clock  struct {
			UnixNs int64 `json:"unix_ns"`
		} `json:"clock"`
		UnixNs []int64 `json:"unix_ns"`
	} `json:"body"`
}

// snowflake is the generator's state.
type snowflake struct {
	buggy  bool
	worker int64
	lastMs int64
	seq    int64
}

// issue returns an ID for a call at clock reading unixNs, or why not.
func (s *snowflake) issue(unixNs int64) (uint64, string) {
	ms := unixNs/1_000_000 - epochMs
	if ms < s.lastMs && !s.buggy {
		return 0, fmt.Sprintf("clock moved backwards by %d ms", s.lastMs-ms)
	}
	if ms == s.lastMs {
		s.seq = (s.seq + 1) & 4095
		if s.seq == 0 {
			return 0, "sequence exhausted in this millisecond"
		}
	} else {
		s.seq = 0
	}
	s.lastMs = ms
	return uint64(ms)<<22 | uint64(s.worker)<<12 | uint64(s.seq), ""
}

func main() {
	s := &snowflake{lastMs: -1}
	batch := true
	for _, a := range os.Args[1:] {
		switch a {
		case "--buggy":
			s.buggy = true
		case "--no-batch":
			batch = false
		default:
			fmt.Fprintf(os.Stderr, "snowflake: unknown flag %s (want --buggy, --no-batch)\n", a)
			os.Exit(2)
		}
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	var buf []byte
	for {
		line, err := in.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = in.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && len(line) == 0 {
			out.Flush()
			return
		}
		var m message
		if err := json.Unmarshal(line, &m); err != nil {
			fmt.Fprintf(os.Stderr, "snowflake: %v\n", err)
			os.Exit(1)
		}
		buf = append(buf[:0], `{"src":`...)
		buf = strconv.AppendQuote(buf, m.Dest)
		buf = append(buf, `,"dest":`...)
		buf = strconv.AppendQuote(buf, m.Src)
		buf = append(buf, `,"body":{"in_reply_to":`...)
		buf = strconv.AppendInt(buf, m.Body.MsgID, 10)
		switch m.Body.Type {
		case "init":
			if m.Body.Worker != nil {
				s.worker = *m.Body.Worker & 1023
			} else {
				n, _ := strconv.ParseInt(strings.TrimPrefix(m.Body.NodeID, "n"), 10, 64)
				s.worker = n & 1023
			}
			buf = append(buf, `,"type":"init_ok","uses_clock":true,"batch":`...)
			buf = strconv.AppendBool(buf, batch)
		case "generate":
			id, refusal := s.issue(m.Body.Clock.UnixNs)
			if refusal != "" {
				buf = append(buf, `,"type":"error","code":11,"text":`...)
				buf = strconv.AppendQuote(buf, refusal)
			} else {
				buf = append(buf, `,"type":"generate_ok","id":`...)
				buf = strconv.AppendUint(buf, id, 10)
			}
		case "generate_batch":
			buf = append(buf, `,"type":"generate_batch_ok","ids":[`...)
			var refused []int
			var reasons []string
			for i, t := range m.Body.UnixNs {
				if i > 0 {
					buf = append(buf, ',')
				}
				id, refusal := s.issue(t)
				if refusal != "" {
					buf = append(buf, "null"...)
					refused, reasons = append(refused, i), append(reasons, refusal)
					continue
				}
				buf = strconv.AppendUint(buf, id, 10)
			}
			buf = append(buf, `],"errors":[`...)
			for k, i := range refused {
				if k > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, `{"index":`...)
				buf = strconv.AppendInt(buf, int64(i), 10)
				buf = append(buf, `,"code":11,"text":`...)
				buf = strconv.AppendQuote(buf, reasons[k])
				buf = append(buf, '}')
			}
			buf = append(buf, ']')
		default:
			buf = append(buf, `,"type":"error","code":10,"text":`...)
			buf = strconv.AppendQuote(buf, "unsupported: "+m.Body.Type)
		}
		buf = append(buf, "}}\n"...)
		out.Write(buf)
		if in.Buffered() == 0 {
			// Flush only when no request is waiting: idsim sends the next
			// request only after this reply.
			if err := out.Flush(); err != nil {
				os.Exit(1)
			}
		}
	}
}
