#!/usr/bin/env python3
"""Signed Yardstik webhook corpus for the ingest benchmark.

    corpus.py OUT N ACCOUNT_ID WEBHOOK_SIGNATURE RESOURCE_TYPE RESOURCE_ID API_BASE

Writes N lines "<hex HMAC-SHA256> <body>", each body a distinct event (its own `id`) in the
sandbox's exact shape and key order, compact, signed over the raw body like the sandbox does.
"""
import hashlib
import hmac
import json
import sys
import uuid

out, n, account, key, rtype, rid, base = sys.argv[1:8]
key = key.encode()
with open(out, "w") as f:
    for _ in range(int(n)):
        body = json.dumps({
            "id": str(uuid.uuid4()), "event": "updated", "resource_id": rid, "account_id": account,
            "account_name": "Demo Staffing Co", "resource_type": rtype,
            "resource_url": f"{base}/{rtype}s/{rid}",
        }, separators=(",", ":"))
        sig = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
        f.write(f"{sig} {body}\n")
