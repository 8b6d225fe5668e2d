#!/usr/bin/env python3
"""Mixed top-ups, transfers and promised payments against a real cabinet that is killed with SIGKILL every 1-3 s
and restarted, on one database (SQLite file or PostgreSQL). Clients behave as a careful client should: every
operation carries an Idempotency-Key and is retried with the same key until the server answers. A journal keeps
every acknowledged operation; at the end the server is started once more to reconcile, and the database is checked:
every acknowledged operation applied exactly once, nothing applied twice, the ledger balanced (`cabinet ledger check`).
Touches only 127.0.0.1. Ends with one RESULT line."""
import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

RUB_REGIONS = ["900000000", "904000000", "908000000", "902000000", "913000000"]  # msk spb nnov perm nsk
# The demo lines the load uses: the first three of each rouble region.
NUMBERS = [f"+7{block}{i}" for block in RUB_REGIONS for i in (1, 2, 3)]


class Server:
    """The cabinet process: started, killed with SIGKILL, started again on the same port and database."""

    def __init__(self, binary, port, env, log):
        self.binary, self.port, self.env, self.log = binary, port, env, log
        self.process = None
        self.kills = 0
        self.lock = threading.Lock()

    def start(self, demo=False):
        args = [self.binary, "serve", "--port", str(self.port)] + (["--demo"] if demo else [])
        with self.lock:
            self.process = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise SystemExit("the server did not come up")

    def kill(self):
        with self.lock:
            if self.process and self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait()
                self.kills += 1

    def stop(self):
        with self.lock:
            if self.process and self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()


class Unanswered(Exception):
    pass


class Client:
    def __init__(self, base, token=None, address="10.0.0.1", seen=None):
        self.base, self.token, self.address = base, token, address
        self.seen = seen  # when a list: the load balancer's X-Upstream of every answer

    def call(self, method, path, body=None, key=None, form=None, follow=False):
        """One HTTP exchange; raises Unanswered when the server was not there to answer."""
        headers = {"X-Forwarded-For": self.address}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.read(), self.note(dict(response.headers))
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                raise Unanswered(f"{error.code}")
            return error.code, error.read(), self.note(dict(error.headers))
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
            raise Unanswered(str(error))

    def note(self, headers):
        if self.seen is not None:
            self.seen.append(headers.get("X-Upstream", ""))
        return headers

    def retry(self, method, path, body=None, key=None, form=None, attempts=60):
        """The same request (same key) until answered, as across a server restart."""
        for _ in range(attempts):
            try:
                return self.call(method, path, body=body, key=key, form=form)
            except Unanswered:
                time.sleep(0.25)
        raise Unanswered(path)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Database:
    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith("sqlite://"):
            path = self.url[len("sqlite://"):]
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
                return [tuple(str(v) if v is not None else "" for v in row) for row in db.execute(sql).fetchall()]
        out = subprocess.run(["psql", self.url.split("?")[0], "-At", "-F", "\t", "-c", sql], capture_output=True, text=True,
                             check=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else ""


def login(base, binary, env, msisdn, address):
    client = Client(base, address=address)
    client.retry("POST", "/api/v1/auth/otp", {"msisdn": msisdn})
    for _ in range(100):
        result = subprocess.run([binary, "outbox", "--to", msisdn, "--limit", "1"], env=env, capture_output=True, text=True)
        out = result.stdout + result.stderr
        match = re.search(r"Код входа: (\d{6})", out) or re.search(r"code[^0-9]*(\d{6})", out)
        if match:
            status, body, _ = client.retry("POST", "/api/v1/auth/otp/verify", {"msisdn": msisdn, "code": match.group(1)})
            if status == 200:
                client.token = json.loads(body)["token"]
                return client
        time.sleep(0.2)
    raise SystemExit(f"cannot log in {msisdn}: {out}")


class Load:
    """Mixed top-ups, transfers and promised payments by careful clients (an Idempotency-Key each, retried until
    answered), keeping a journal of what was acknowledged and what was refused."""

    def __init__(self, clients, numbers, workers):
        self.clients, self.numbers, self.workers = clients, numbers, workers
        self.journal = []  # acknowledged operations
        self.refused = []  # answered with a refusal: must have moved nothing
        self.unanswered = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def record(self, entry, into):
        with self.lock:
            into.append(entry)

    def top_up(self, client, msisdn, r, small=False):
        # A small top-up leaves the balance low enough for the next promised payment once this one is repaid.
        amount = "50.00" if small else f"{r.randint(100, 900)}.00"
        status, body, _ = client.retry("POST", "/api/v1/me/payments", {"amount": amount, "method": "card"}, key=str(uuid.uuid4()))
        if status != 201:
            self.record(("topup-refused", msisdn, status), self.refused)
            return
        payment = json.loads(body)
        path = urllib.parse.urlparse(payment["confirmationUrl"]).path
        try:
            client.call("POST", path, form={"card": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"})
        except Unanswered:
            pass  # the server died with the card form in flight: the client asks the cabinet what happened
        status, body, _ = client.retry("GET", f"/api/v1/me/payments/{payment['id']}")
        if status == 200 and json.loads(body)["status"] == "succeeded":
            self.record(("topup", msisdn, payment["id"]), self.journal)

    def transfer(self, client, msisdn, r):
        # The third line of each region lives on promised payments and top-ups only (its balance stays low).
        to = r.choice([n for n in self.numbers if n != msisdn and not n.endswith("3")])
        amount = f"{r.randint(10, 150)}.00"
        status, body, _ = client.retry("POST", "/api/v1/me/transfers", {"to": to, "amount": amount}, key=str(uuid.uuid4()))
        if status == 201:
            self.record(("transfer", msisdn, str(json.loads(body)["id"])), self.journal)
        else:
            self.record(("transfer-refused", msisdn, json.loads(body).get("code", status)), self.refused)

    def promised(self, client, msisdn, r):
        key = str(uuid.uuid4())
        status, body, _ = client.retry("POST", "/api/v1/me/promised-payment", {"amount": "50.00"}, key=key)
        if status == 201:
            self.record(("promised", msisdn, str(json.loads(body)["id"])), self.journal)
            # The same request again, as a client that lost the answer: the first answer, nothing new.
            again, body2, _ = client.retry("POST", "/api/v1/me/promised-payment", {"amount": "50.00"}, key=key)
            if again != 201 or json.loads(body2)["id"] != json.loads(body)["id"]:
                self.record(("promised-replay-differs", msisdn, key), self.refused)
        else:
            self.record(("promised-refused", msisdn, json.loads(body).get("code", status)), self.refused)

    def worker(self, index):
        r = random.Random(100 + index)
        mine = self.numbers[index::self.workers]
        while not self.stop.is_set():
            msisdn = r.choice(mine)
            client = self.clients[msisdn]
            op = r.random()
            try:
                if msisdn.endswith("3"):
                    # Take one, top up (which repays it), send some away to stay below the threshold, and again.
                    if op < 0.4:
                        self.promised(client, msisdn, r)
                    elif op < 0.7:
                        self.top_up(client, msisdn, r, small=True)
                    else:
                        self.transfer(client, msisdn, r)
                elif op < 0.5:
                    self.top_up(client, msisdn, r)
                else:
                    self.transfer(client, msisdn, r)
            except Unanswered:
                with self.lock:
                    self.unanswered += 1

    def run(self, seconds, chaos):
        """Runs the workers and `chaos(stop_event)` for `seconds`; returns the elapsed time."""
        threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(self.workers)]
        threads.append(threading.Thread(target=chaos, args=(self.stop,)))
        started = time.time()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join()
        return time.time() - started

    def counts(self):
        return {k: sum(1 for e in self.journal if e[0] == k) for k in ("topup", "transfer", "promised")}


def settle(db, seconds=90):
    """Waits until reconciliation has finished every transfer a kill interrupted; returns how long it took."""
    started = time.time()
    while time.time() - started < seconds:
        if db.value("SELECT COUNT(*) FROM payments_transfer WHERE status IN ('pending', 'sent')") == "0" and time.time() - started > 3:
            break
        time.sleep(2)
    return time.time() - started


def verify(db, load, binary, env):
    """Every acknowledged operation applied exactly once, nothing applied twice, refusals moved nothing, the ledger
    balanced. Returns a dict of figures; `ok` says whether all holds."""
    lost, twice = [], []
    # Read once, check in memory: a query per operation would take minutes through psql.
    payments = {row[0]: row[1:] for row in db.rows("SELECT id, status, gateway, gateway_payment_id FROM payments_payment")}
    transfers = {row[0]: row[1] for row in db.rows("SELECT id, status FROM payments_transfer")}
    postings = {row[0]: int(row[1]) for row in db.rows("""SELECT external_id, COUNT(*) FROM billing_transaction
        WHERE external_id LIKE 'topup:%' OR external_id LIKE 'transfer-%' OR external_id LIKE 'promised:%' GROUP BY external_id""")}
    for kind, msisdn, ident in load.journal:
        if kind == "topup":
            status, gateway, gateway_id = payments.get(ident, ("", "", ""))
            count = postings.get(f"topup:{gateway}:{gateway_id}", 0) if status == "succeeded" else 0
        elif kind == "transfer":
            out, into = postings.get(f"transfer-out:{ident}", 0), postings.get(f"transfer-in:{ident}", 0)
            count = out if transfers.get(ident) == "done" and out == into else 0
        else:
            count = postings.get(f"promised:{ident}", 0)
        if count == 0:
            lost.append((kind, ident))
        elif count > 1:
            twice.append((kind, ident))
    # Nothing applied twice anywhere, acknowledged or not: one credit per succeeded payment, none for the others.
    credits = int(db.value("SELECT COUNT(*) FROM billing_transaction WHERE kind = 'topUp' AND external_id LIKE 'topup:%'"))
    succeeded = int(db.value("SELECT COUNT(*) FROM payments_payment WHERE status = 'succeeded' AND company_id IS NULL"))
    if credits != succeeded:
        twice.append(("credits-vs-succeeded", f"{credits} != {succeeded}"))
    stuck = int(db.value("SELECT COUNT(*) FROM payments_transfer WHERE status IN ('pending', 'sent')"))
    # A refused transfer moved nothing: no ledger step carries its id.
    refused_moved = int(db.value("""SELECT COUNT(*) FROM billing_transaction t JOIN payments_transfer r
        ON t.external_id = 'transfer-out:' || r.id OR t.external_id = 'transfer-in:' || r.id WHERE r.status = 'refused'"""))
    for kind, msisdn, code in load.refused:
        if kind == "promised-replay-differs":
            twice.append((kind, code))
    check = subprocess.run([binary, "ledger", "check"], env=env, capture_output=True, text=True)
    if lost:
        print(f"LOST: {lost[:10]}", file=sys.stderr)
    if twice:
        print(f"TWICE: {twice[:10]}", file=sys.stderr)
    if check.returncode != 0:
        print(check.stdout + check.stderr, file=sys.stderr)
    return {"lost": len(lost), "twice": len(twice), "stuck": stuck, "refused_moved": refused_moved,
            "ledger": "clean" if check.returncode == 0 else "BROKEN",
            "ok": not lost and not twice and check.returncode == 0 and stuck == 0 and refused_moved == 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cabinet", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    port = int(subprocess.run([sys.executable, "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); "
                                                    "print(s.getsockname()[1])"], capture_output=True, text=True).stdout)
    env = dict(os.environ, CABINET_DATABASE_URL=args.database, CABINET_LOG_LEVEL="warning", CABINET_TRUSTED_PROXIES="127.0.0.1",
               CABINET_FEE_POLL="1s", CABINET_OUTBOX_POLL="200ms", CABINET_OPERATOR_KEY="chaos-operator-key-0123456789",
               CABINET_MAIL_DIR=os.path.dirname(args.log) + "/mail", CABINET_PUBLIC_URL=f"http://127.0.0.1:{port}",
               # Top-ups go through the sandbox gateway, which takes payments only in demo mode or when switched on.
               CABINET_SANDBOX="true")
    base = f"http://127.0.0.1:{port}"
    log = open(args.log, "ab")
    server = Server(args.cabinet, port, env, log)
    server.start(demo=True)

    clients = {n: login(base, args.cabinet, env, n, f"10.9.{i}.1") for i, n in enumerate(NUMBERS)}
    load = Load(clients, NUMBERS, args.workers)

    def killer(stop):
        r = random.Random(5)
        while not stop.is_set():
            time.sleep(r.uniform(1.0, 3.0))
            if stop.is_set():
                break
            server.kill()
            server.start()

    elapsed = load.run(args.seconds, killer)
    # Once more without chaos: reconciliation finishes what a kill interrupted (a transfer is left alone for a minute
    # after its request, which may still be running on another node).
    server.kill()
    server.start()
    db = Database(args.database)
    settled_in = settle(db)
    server.stop()
    result = verify(db, load, args.cabinet, env)
    counts = load.counts()
    print(f"journal: {counts}, refused {len(load.refused)}, unanswered after retries {load.unanswered}, kills {server.kills}")
    print(f"RESULT backend={args.backend} seconds={elapsed:.0f} kills={server.kills} acknowledged={len(load.journal)} "
          f"topups={counts['topup']} transfers={counts['transfer']} promised={counts['promised']} refused={len(load.refused)} "
          f"lost={result['lost']} twice={result['twice']} stuck_transfers={result['stuck']} "
          f"refused_moved={result['refused_moved']} ledger={result['ledger']} settle_s={settled_in:.0f}")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
