#!/usr/bin/env python3
"""A small SMTP server for Cabinet's tests, on aiosmtpd (PyPI): STARTTLS and AUTH on request, every accepted message
written to --out as <n>.eml plus a line of JSON in envelopes.jsonl (sender, recipients, whether TLS and AUTH were used).
Listens on 127.0.0.1 only and prints "listening <port>" once ready. Stops after --lifetime seconds."""
import argparse
import asyncio
import json
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        with open(os.path.join(self.out, f"{self.count}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        with open(os.path.join(self.out, "envelopes.jsonl"), "a") as f:
            f.write(json.dumps({
                "from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                "login": login,
            }) + "\n")
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--cert", help="PEM certificate: offer STARTTLS and require it")
    parser.add_argument("--key", help="PEM key of --cert")
    parser.add_argument("--user", help="require AUTH with this user (and --password)")
    parser.add_argument("--password", default="")
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    kwargs = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=context, require_starttls=True)
    if args.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user \
                and auth_data.password.decode() == args.password
            return AuthResult(success=ok, handled=False, auth_data=auth_data)
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.cert))

    controller = Controller(Sink(args.out), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"listening {port}", flush=True)
    try:
        deadline = time.time() + args.lifetime
        while time.time() < deadline:
            time.sleep(0.2)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
