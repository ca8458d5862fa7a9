#!/usr/bin/env python3
# One program for every worker (processes: one) with one global counter.
# It refuses a call whose mono_ns (true time) is earlier than one it has
# already seen: idsim must deliver the workers' calls in true-time order.
import json, sys

n, last = 0, -1
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    out = {"in_reply_to": body["msg_id"]}
    if body["type"] == "init":
        out.update(type="init_ok", uses_clock=True)
    else:
        mono = body["clock"]["mono_ns"]
        if mono < last:
            out.update(type="error", code=13, text="a call from the past")
        else:
            last, n = mono, n + 1
            out.update(type="generate_ok", id=n)
    print(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": out}), flush=True)
