#!/usr/bin/env python3
"""A Snowflake ID service speaking idsim's process protocol (Maelstrom's
unique-ids workload, plus idsim's clock extension).

IDs are 41 bits of milliseconds since 2020-01-01, 10 bits of worker and a
12-bit sequence. Time comes only from the "clock" idsim sends with each
request, so a run is reproducible from its seed and sees every clock
fault. It refuses to issue while its clock reads earlier than the last
millisecond it used (Maelstrom error code 11, temporarily unavailable).

With --buggy it has the bug this example exists to show: after the clock
steps back it issues from the earlier time again, with the sequence
restarted, repeating IDs it already gave out.

It says in its init_ok that it takes its time from the clock
("uses_clock": true) and that it answers generate_batch ("batch": true),
idsim's batched form: many clock readings in one request, many IDs in one
reply. With --no-batch it takes one request per line.

With --real-time it ignores "clock" and reads the machine's clock, as an
unmodified service does, and its init_ok no longer says "uses_clock": in
`idsim live` it then gets its clock faults through libfaketime.
"""
import json
import sys
import time

EPOCH_MS = 1577836800000  # 2020-01-01T00:00:00Z

buggy = "--buggy" in sys.argv[1:]
real_time = "--real-time" in sys.argv[1:]
worker = 0
last_ms = -1
seq = 0


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    sys.stdout.write(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": body}) + "\n")
    sys.stdout.flush()


def issue(unix_ns):
    """Returns (id, None) or (None, the reason it refuses)."""
    global last_ms, seq
    if real_time:
        unix_ns = time.time_ns()
    ms = unix_ns // 1_000_000 - EPOCH_MS
    if ms < last_ms and not buggy:
        return None, "clock moved backwards by %d ms" % (last_ms - ms)
    if ms == last_ms:
        seq = (seq + 1) & 4095
        if seq == 0:
            return None, "sequence exhausted in this millisecond"
    else:
        seq = 0
    last_ms = ms
    return (ms << 22) | (worker << 12) | seq, None


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        worker = body.get("worker", int(body["node_id"].lstrip("n"))) & 1023
        reply(msg, {"type": "init_ok", "uses_clock": not real_time, "batch": "--no-batch" not in sys.argv[1:]})
    elif body["type"] == "generate":
        id, refusal = issue(body.get("clock", {}).get("unix_ns", 0))
        if refusal:
            reply(msg, {"type": "error", "code": 11, "text": refusal})
        else:
            reply(msg, {"type": "generate_ok", "id": id})
    elif body["type"] == "generate_batch":
        ids, errors = [], []
        for i, unix_ns in enumerate(body["unix_ns"]):
            id, refusal = issue(unix_ns)
            ids.append(id)
            if refusal:
                errors.append({"index": i, "code": 11, "text": refusal})
        reply(msg, {"type": "generate_batch_ok", "ids": ids, "errors": errors})
    else:
        reply(msg, {"type": "error", "code": 10, "text": "unsupported: " + body["type"]})
