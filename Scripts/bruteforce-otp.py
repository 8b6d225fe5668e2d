#!/usr/bin/env python3
"""Brute force against SMS-code login, on loopback only: guesses codes for the demo numbers (and some numbers that
do not exist) from rotating source addresses 127.0.x.y, asks for fresh codes now and then, and counts how each
guess was refused. Bounded by --attempts and --seconds. Ends with one RESULT line.
"""
import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter

DEMO = ["+79000000001", "+79000000002", "+79000000003", "+79040000001", "+79080000001", "+79020000001",
        "+79130000001", "+77010000001"]
UNKNOWN = ["+79009990001", "+79009990002", "+79009990003"]


class Stats:
    def __init__(self):
        self.outcomes = Counter()
        self.attempts = 0
        self.logins = 0
        self.code_requests = Counter()


async def request(reader, writer, host, path, body):
    data = json.dumps(body).encode()
    writer.write((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept-Language: en\r\n"
                  f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n").encode() + data)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    payload = await reader.readexactly(length) if length else b""
    return status, payload


async def worker(index, args, stats, deadline, addresses):
    host = f"127.0.0.1:{args.port}"
    while stats.attempts < args.attempts and time.monotonic() < deadline:
        address = next(addresses)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", args.port, local_addr=(address, 0))
        except OSError as error:
            stats.outcomes[f"connect-error:{error.errno}"] += 1
            await asyncio.sleep(0.05)
            continue
        try:
            for _ in range(args.per_address):
                if stats.attempts >= args.attempts or time.monotonic() >= deadline:
                    break
                number = random.choice(DEMO + UNKNOWN)
                if random.random() < args.request_ratio:
                    status, payload = await request(reader, writer, host, "/api/v1/auth/otp", {"msisdn": number})
                    code = json.loads(payload).get("code", "sent") if status != 202 else "sent"
                    stats.code_requests[code] += 1
                    continue
                guess = f"{random.randrange(1_000_000):06d}"
                status, payload = await request(reader, writer, host, "/api/v1/auth/otp/verify",
                                                {"msisdn": number, "code": guess})
                stats.attempts += 1
                if status == 200:
                    stats.logins += 1
                    stats.outcomes["LOGGED IN"] += 1
                else:
                    stats.outcomes[json.loads(payload).get("code", str(status))] += 1
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            stats.outcomes[f"connection:{type(error).__name__}"] += 1
        finally:
            writer.close()


def addresses():
    """127.0.x.y with y in 2..254: 65 000 distinct sources on loopback."""
    while True:
        for x in range(0, 256):
            for y in range(2, 255):
                yield f"127.0.{x}.{y}"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=900)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--per-address", type=int, default=25, help="requests per source address before rotating")
    parser.add_argument("--request-ratio", type=float, default=0.01, help="share of requests that ask for a new code")
    args = parser.parse_args()
    stats = Stats()
    started = time.monotonic()
    deadline = started + args.seconds
    source = addresses()

    async def report():
        while time.monotonic() < deadline and stats.attempts < args.attempts:
            await asyncio.sleep(15)
            rate = stats.attempts / max(time.monotonic() - started, 0.001)
            print(f"  {stats.attempts} guesses, {rate:.0f}/s, logins {stats.logins}", file=sys.stderr, flush=True)

    reporter = asyncio.create_task(report())
    await asyncio.gather(*(worker(i, args, stats, deadline, source) for i in range(args.concurrency)))
    reporter.cancel()
    elapsed = time.monotonic() - started
    print("refusals of guesses:", dict(stats.outcomes.most_common()))
    print("answers to code requests:", dict(stats.code_requests.most_common()))
    keys = {"auth.otp.wrong": "wrong_code", "auth.otp.expired": "no_valid_code", "auth.otp.locked": "number_locked",
            "auth.otp.addressLimit": "address_limited"}
    fields = " ".join(f"{name}={stats.outcomes.get(code, 0)}" for code, name in keys.items())
    other = stats.attempts - stats.logins - sum(stats.outcomes.get(code, 0) for code in keys)
    print(f"RESULT attempts={stats.attempts} logins={stats.logins} {fields} other={other} "
          f"code_requests={sum(stats.code_requests.values())} codes_sent={stats.code_requests.get('sent', 0)} "
          f"seconds={elapsed:.0f} guesses_per_s={stats.attempts / max(elapsed, 0.001):.0f}")
    if stats.logins:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
