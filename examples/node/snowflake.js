#!/usr/bin/env node
// A Snowflake ID service speaking idsim's process protocol (Maelstrom's
// unique-ids workload, plus idsim's clock extension), in JavaScript.
//
// IDs are 41 bits of milliseconds since 2020-01-01, 10 bits of worker and
// a 12-bit sequence, built with BigInt. Time comes only from the "clock"
// idsim sends with each request. It refuses to issue while its clock reads
// earlier than the last millisecond it used (Maelstrom error code 11).
//
// It says in its init_ok that it takes its time from the clock
// ("uses_clock": true); it knows only the plain form of the protocol, one
// request per line (see examples/python for the batched form).
//
// With --buggy it issues from the earlier time again after the clock
// steps back, with the sequence restarted: repeated IDs.
//
// With --real-time it ignores "clock" and reads the machine's clock
// (Date.now()), as an unmodified service does, and its init_ok no longer
// says "uses_clock": in `idsim live` it then gets its clock faults through
// libfaketime.
"use strict";
const readline = require("readline");

const EPOCH_MS = 1577836800000n;
const buggy = process.argv.slice(2).includes("--buggy");
const realTime = process.argv.slice(2).includes("--real-time");
let worker = 0n;
let lastMs = -1n;
let seq = 0n;

function reply(msg, body) {
  body.in_reply_to = msg.body.msg_id;
  // IDs go out as decimal strings: a JSON number above 2^53 loses digits
  // in JavaScript.
  process.stdout.write(JSON.stringify({ src: msg.dest, dest: msg.src, body }) + "\n");
}

readline.createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
  const msg = JSON.parse(line);
  const body = msg.body;
  if (body.type === "init") {
    worker = BigInt(body.worker ?? Number(body.node_id.slice(1))) & 1023n;
    return reply(msg, { type: "init_ok", uses_clock: !realTime });
  }
  if (body.type !== "generate") {
    return reply(msg, { type: "error", code: 10, text: "unsupported: " + body.type });
  }
  // unix_ns exceeds 2^53: read it from the text, not the parsed number.
  const ns = realTime ? BigInt(Date.now()) * 1000000n : BigInt(line.match(/"unix_ns":\s*(\d+)/)[1]);
  const ms = ns / 1000000n - EPOCH_MS;
  if (ms < lastMs && !buggy) {
    return reply(msg, { type: "error", code: 11, text: `clock moved backwards by ${lastMs - ms} ms` });
  }
  if (ms === lastMs) {
    seq = (seq + 1n) & 4095n;
    if (seq === 0n) {
      return reply(msg, { type: "error", code: 11, text: "sequence exhausted in this millisecond" });
    }
  } else {
    seq = 0n;
  }
  lastMs = ms;
  reply(msg, { type: "generate_ok", id: ((ms << 22n) | (worker << 12n) | seq).toString() });
});
