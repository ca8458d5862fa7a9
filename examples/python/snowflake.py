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
"""
import json
import sys

EPOCH_MS = 1577836800000  # 2020-01-01T00:00:00Z

buggy = "--buggy" in sys.argv[1:]
worker = 0
last_ms = -1
seq = 0


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    sys.stdout.write(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": body}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        worker = body.get("worker", int(body["node_id"].lstrip("n"))) & 1023
        reply(msg, {"type": "init_ok"})
        continue
    if body["type"] != "generate":
        reply(msg, {"type": "error", "code": 10, "text": "unsupported: " + body["type"]})
        continue
    ms = body["clock"]["unix_ns"] // 1_000_000 - EPOCH_MS
    if ms < last_ms and not buggy:
        reply(msg, {"type": "error", "code": 11, "text": "clock moved backwards by %d ms" % (last_ms - ms)})
        continue
    if ms == last_ms:
        seq = (seq + 1) & 4095
        if seq == 0:
            reply(msg, {"type": "error", "code": 11, "text": "sequence exhausted in this millisecond"})
            continue
    else:
        seq = 0
    last_ms = ms
    reply(msg, {"type": "generate_ok", "id": (ms << 22) | (worker << 12) | seq})
