#!/usr/bin/env python3
# A program that offers idsim's batched form and breaks it, as argv[1]
# says: count, no_index, null_id, error, garbage, bad_init.
import json, sys

mode, n = sys.argv[1], 0
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    out = {"in_reply_to": body["msg_id"]}
    if body["type"] == "init":
        out.update(type="init_ok", uses_clock=True, batch="yes" if mode == "bad_init" else True)
    elif body["type"] == "generate_batch":
        ids = []
        for _ in body["unix_ns"]:
            n += 1
            ids.append(n)
        out.update(type="generate_batch_ok", ids=ids)
        if mode == "count":
            out["ids"] = ids[:-1]
        if mode == "no_index":
            out["errors"] = [{"code": 11, "text": "not now"}]
        if mode == "null_id":
            out["ids"][0] = None
        if mode == "error":
            out = {"in_reply_to": body["msg_id"], "type": "error", "code": 11, "text": "not now"}
        if mode == "garbage":
            print("[1, 2, 3]", flush=True)
            continue
    else:
        out.update(type="error", code=10, text="unsupported")
    print(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": out}), flush=True)
