#!/usr/bin/env python3
# A Maelstrom unique-ids solution that knows nothing of idsim's
# extensions: it ignores the clock and the identity fields and issues
# "<node_id>-<counter>", unique while the process lives (a restart starts
# the counter again).
import json, sys

node, n = None, 0
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    out = {"in_reply_to": body["msg_id"]}
    if body["type"] == "init":
        node = body["node_id"]
        out["type"] = "init_ok"
    else:
        n += 1
        out.update(type="generate_ok", id="%s-%d" % (node, n))
    print(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": out}), flush=True)
