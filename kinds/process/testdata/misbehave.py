#!/usr/bin/env python3
# A program that misbehaves after answering init and two generates, as
# argv[1] says: crash, garbage, silent, wrong_reply, null_id, error.
import json, sys, time

mode, calls = sys.argv[1], 0
for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    out = {"in_reply_to": body["msg_id"]}
    if body["type"] == "init":
        out["type"] = "init_ok"
    else:
        calls += 1
        out.update(type="generate_ok", id=calls)
        if calls > 2:
            if mode == "crash":
                sys.stderr.write("misbehave: giving up after %d calls\n" % (calls - 1))
                sys.exit(3)
            if mode == "garbage":
                print("hello, not JSON", flush=True)
                continue
            if mode == "silent":
                time.sleep(60)
            if mode == "wrong_reply":
                out["in_reply_to"] += 1000
            if mode == "null_id":
                out["id"] = None
            if mode == "error":
                out = {"in_reply_to": body["msg_id"], "type": "error", "code": 11, "text": "not now"}
    print(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": out}), flush=True)
