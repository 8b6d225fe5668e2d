#!/usr/bin/env python3
"""Logs in to a running cabinet as --count random seeded lines by SMS code (the code read from the server's outbox,
SQLite file or PostgreSQL URL, as the dev SMS sink keeps it) and writes one bearer token per line to --out. Each login comes from its own
forwarded address (the bench server trusts 127.0.0.1 as a proxy), so the per-address code limit does not interfere.
Touches only 127.0.0.1."""
import argparse
import json
import random
import re
import sqlite3
import subprocess
import time
import urllib.request


def post(base, path, body, address):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Forwarded-For": address})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True, help="the server's SQLite file or postgres:// URL")
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--count", type=int, default=256)
    parser.add_argument("--out", required=True)
    parser.add_argument("--first", action="store_true", help="the first --count lines instead of a random sample")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    rng = random.Random(7)
    if args.database.startswith("postgres"):
        url = args.database.split("?")[0]

        def last_body(msisdn):
            out = subprocess.run(["psql", url, "-At", "-c", "SELECT body FROM messaging_outbox WHERE recipient = "
                                  f"'{msisdn}' ORDER BY id DESC LIMIT 1"], capture_output=True, text=True).stdout
            return (out.strip(),) if out.strip() else None
    else:
        db = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)

        def last_body(msisdn):
            return db.execute("SELECT body FROM messaging_outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
                              (msisdn,)).fetchone()
    tokens = []
    indices = range(min(args.count, args.lines)) if args.first else rng.sample(range(args.lines), min(args.count, args.lines))
    for index in indices:
        msisdn = "+7958" + f"{index:07d}"
        address = f"10.{index % 250}.{(index // 250) % 250}.{index % 199 + 1}"
        post(base, "/api/v1/auth/otp", {"msisdn": msisdn}, address)
        code = None
        for _ in range(100):
            row = last_body(msisdn)
            match = re.search(r"(\d{6})", row[0]) if row else None
            if match:
                code = match.group(1)
                break
            time.sleep(0.05)
        if code is None:
            raise SystemExit(f"no code for {msisdn}")
        tokens.append(post(base, "/api/v1/auth/otp/verify", {"msisdn": msisdn, "code": code}, address)["token"])
    with open(args.out, "w") as f:
        f.write("\n".join(tokens) + "\n")
    print(f"{len(tokens)} sessions")


if __name__ == "__main__":
    main()
