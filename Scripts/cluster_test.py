#!/usr/bin/env python3
"""Several Cabinet servers as an operator runs them: three `cabinet serve` nodes on one PostgreSQL behind PgBouncer in
transaction pooling, nginx in front with round robin, SMS through an SMSC nobody here wrote (smpp34). Everything on
127.0.0.1; Scripts/cluster-test.sh prepares the tools and PostgreSQL and calls this.

1. The three nodes start at once on an empty database (their migrations meet), the demo lines are provisioned.
2. A subscriber's journey through nginx: code login (the code read from the SMSC, as a phone would), dashboard,
   tariff change, a card top-up through the sandbox's hosted page, a promised payment, a statement by e-mail; the
   requests must land on more than one node, and every node's dashboard must show the tariff and balance the database
   has, before and after the changes other nodes made (their line caches). Then the region files change on disk, one node gets SIGHUP, and every
   node must serve the new version (the others follow the announcement in the database).
3. A month of fee days: every node's clock moves a day at a time (CABINET_CLOCK_FILE); each day every daily-tariff
   line is charged once, and the periods the nodes say they opened add up to the periods in the database (no node
   did another's work).
4. The chaos load of Scripts/chaos_payments.py through nginx while one node is killed with SIGKILL every 2-5 s and
   started again; then every acknowledged operation applied once, nothing twice, the ledger balanced, every SMS the
   outbox sent delivered to the SMSC once, and the job leases taken over from the killed and released by the
   stopped.
Ends with one RESULT line."""
import argparse
import datetime
import decimal
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos_payments as chaos  # noqa: E402

OPERATOR_KEY = "cluster-operator-key-0123456789"
DAILY_TARIFF = "sutochny"  # Moscow's daily tariff: 25.00 a day
FEE_LINES = [f"+7901555{n:04d}" for n in range(1, 9)]


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def say(text):
    print(f"[cluster] {text}", flush=True)


def as_postgres(args):
    """PgBouncer, as PostgreSQL, refuses to run as root."""
    return (["runuser", "-u", "postgres", "--"] + args) if os.geteuid() == 0 else args


class Cluster:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.processes = []
        self.smsc_log = os.path.join(work, "smsc.jsonl")
        self.clock_file = os.path.join(work, "clock")
        self.mail = os.path.join(work, "mail")
        os.makedirs(self.mail, exist_ok=True)
        pg = urllib.parse.urlparse(args.database)
        self.pg_host, self.pg_port, self.pg_db = pg.hostname, pg.port, pg.path.lstrip("/")
        self.direct_url = args.database

    # --- PgBouncer, nginx, the SMSC ---------------------------------------------------------------------------

    def start_pgbouncer(self):
        folder = os.path.join(self.work, "pgbouncer")
        os.makedirs(folder, exist_ok=True)
        self.bouncer_port = free_port()
        with open(os.path.join(folder, "users.txt"), "w") as users:
            users.write('"postgres" ""\n')
        with open(os.path.join(folder, "pgbouncer.ini"), "w") as ini:
            ini.write(f"""[databases]
{self.pg_db} = host={self.pg_host} port={self.pg_port} dbname={self.pg_db} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.bouncer_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 40
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres", folder], check=True)
        process = subprocess.Popen(as_postgres(["pgbouncer", os.path.join(folder, "pgbouncer.ini")]),
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "pgbouncer.err"), "ab"))
        self.processes.append(process)
        self.wait_port(self.bouncer_port, "PgBouncer")
        self.url = f"postgres://postgres@127.0.0.1:{self.bouncer_port}/{self.pg_db}?sslmode=disable"
        say(f"PgBouncer (transaction pooling) on 127.0.0.1:{self.bouncer_port}")

    def start_nginx(self, ports):
        folder = os.path.join(self.work, "nginx")
        os.makedirs(folder, exist_ok=True)
        os.chmod(folder, 0o777)
        self.lb_port = free_port()
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;" for p in ports)
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        with open(os.path.join(folder, "nginx.conf"), "w") as conf:
            conf.write(f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream cabinet {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.lb_port};
        client_max_body_size 10m;
        location / {{
            proxy_pass http://cabinet;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 30s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
""")
        process = subprocess.Popen(["nginx", "-p", folder, "-c", os.path.join(folder, "nginx.conf")],
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "nginx.err"), "ab"))
        self.processes.append(process)
        self.wait_port(self.lb_port, "nginx")
        self.base = f"http://127.0.0.1:{self.lb_port}"
        say(f"nginx round robin on {self.base} over {len(ports)} nodes")

    def start_smsc(self):
        process = subprocess.Popen([self.args.python, os.path.join(os.path.dirname(__file__), "smsc_smpp34.py"),
                                    "--out", self.smsc_log, "--lifetime", str(self.args.budget)],
                                   stdout=subprocess.PIPE, stderr=open(os.path.join(self.work, "smsc.err"), "ab"), text=True)
        line = process.stdout.readline()
        if not line.startswith("listening "):
            raise SystemExit(f"the smpp34 SMSC did not start: {line!r}")
        self.smsc_port = int(line.split()[1])
        self.processes.append(process)
        say(f"smpp34 SMSC on 127.0.0.1:{self.smsc_port}")

    @staticmethod
    def wait_port(port, what):
        import socket
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise SystemExit(f"{what} did not listen on {port}")

    # --- Cabinet nodes -------------------------------------------------------------------------------------------

    def env(self, name=None):
        env = dict(os.environ, CABINET_DATABASE_URL=self.url, CABINET_LOG_LEVEL="info", CABINET_LOG_FORMAT="json",
                   CABINET_TRUSTED_PROXIES="127.0.0.1", CABINET_FEE_POLL="1s", CABINET_STATEMENT_POLL="1s",
                   CABINET_OUTBOX_POLL="200ms", CABINET_OPERATOR_KEY=OPERATOR_KEY, CABINET_MAIL_DIR=self.mail,
                   CABINET_PUBLIC_URL=self.base, CABINET_SANDBOX="true", CABINET_CLOCK_FILE=self.clock_file,
                   CABINET_SMS="smpp", CABINET_SMPP_HOST="127.0.0.1", CABINET_SMPP_PORT=str(self.smsc_port),
                   CABINET_SMPP_SYSTEM_ID="cabinet", CABINET_SMPP_PASSWORD="secret", CABINET_SMPP_RATE="200",
                   CABINET_REGIONS=self.args.regions)
        if name:
            env["CABINET_NODE_NAME"] = name
        return env

    def start_nodes(self, ports):
        self.nodes = []
        for index, port in enumerate(ports):
            log = open(os.path.join(self.work, f"node{index + 1}.log"), "ab")
            node = chaos.Server(self.args.cabinet, port, self.env(f"node{index + 1}"), log)
            node.name = f"node{index + 1}"
            self.nodes.append(node)
        # All at once on an empty database: their migrations meet.
        for node in self.nodes:
            with node.lock:
                node.process = subprocess.Popen([node.binary, "serve", "--port", str(node.port)], env=node.env,
                                                stdout=node.log, stderr=node.log)
        for node in self.nodes:
            deadline = time.time() + 180
            while True:
                try:
                    status, _, _ = chaos.Client(f"http://127.0.0.1:{node.port}").call("GET", "/health")
                    if status == 200:
                        break
                except chaos.Unanswered:
                    pass
                if node.process.poll() is not None:
                    raise SystemExit(f"{node.name} stopped at start; see {node.log.name}")
                if time.time() > deadline:
                    raise SystemExit(f"{node.name} did not come up")
                time.sleep(0.1)
        say(f"3 nodes up on ports {', '.join(str(n.port) for n in self.nodes)}, started together on an empty database")

    def cabinet(self, *args):
        return subprocess.run([self.args.cabinet, *args], env=self.env(), capture_output=True, text=True)

    def stop(self):
        for node in getattr(self, "nodes", []):
            node.stop()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    # --- The shared clock ------------------------------------------------------------------------------------------

    def set_clock(self, instant):
        text = instant.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(self.clock_file + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(self.clock_file + ".tmp", self.clock_file)
        self.clock_base, self.clock_set_at = instant, time.time()

    def clock_now(self):
        return self.clock_base + datetime.timedelta(seconds=time.time() - self.clock_set_at)

    # --- SMS at the SMSC -----------------------------------------------------------------------------------------

    def smsc_messages(self):
        try:
            with open(self.smsc_log, encoding="utf-8") as f:
                events = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []
        return [e for e in events if e.get("event") == "message"]

    def login(self, msisdn, address, seen=None):
        """Code login through nginx: the code is read from what the SMSC received for the number."""
        client = chaos.Client(self.base, address=address, seen=seen)
        before = len([m for m in self.smsc_messages() if m["to"] == msisdn.lstrip("+")])
        status, body, _ = client.retry("POST", "/api/v1/auth/otp", {"msisdn": msisdn})
        if status not in (200, 202):
            raise SystemExit(f"code for {msisdn}: {status} {body[:300]}")
        deadline = time.time() + 30
        while time.time() < deadline:
            mine = [m for m in self.smsc_messages() if m["to"] == msisdn.lstrip("+")]
            if len(mine) > before:
                code = re.search(r"\b(\d{6})\b", mine[-1]["text"])
                if code:
                    status, body, _ = client.retry("POST", "/api/v1/auth/otp/verify", {"msisdn": msisdn, "code": code.group(1)})
                    if status != 200:
                        raise SystemExit(f"login {msisdn}: {status} {body[:300]}")
                    client.token = json.loads(body)["token"]
                    return client
            time.sleep(0.2)
        raise SystemExit(f"no code reached the SMSC for {msisdn}")


def mail_text(path):
    """The headers and decoded text parts of an .eml file."""
    import email
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f)
    parts = [str(message.get("To", ""))]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True) or b""
            parts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(parts)


def expect(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")


def top_up(client, amount):
    status, body, headers = client.retry("POST", "/api/v1/me/payments", {"amount": amount, "method": "card"},
                                         key=str(uuid.uuid4()))
    expect(status == 201, f"top-up created: {status} {body[:200]}")
    payment = json.loads(body)
    path = urllib.parse.urlparse(payment["confirmationUrl"]).path
    # The hosted page, opened and paid through nginx: the checkout may be on any node.
    status, page, _ = client.retry("GET", path)
    expect(status == 200, f"sandbox page through nginx: {status}")
    status, _, _ = client.retry("POST", path, form={"card": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"})
    expect(status in (200, 303), f"card form: {status}")
    for _ in range(100):
        status, body, _ = client.retry("GET", f"/api/v1/me/payments/{payment['id']}")
        if json.loads(body)["status"] == "succeeded":
            return payment["id"]
        time.sleep(0.2)
    raise SystemExit(f"top-up {payment['id']} did not succeed")


def dashboards_agree(client, db, msisdn, count=6):
    """The dashboard asked `count` times (round robin: every node in turn) shows the line's tariff and balance as the
    database has them: each node's line caches (line stamps, DESIGN.md §5) saw what other nodes wrote."""
    tariff, balance = db.rows(f"""SELECT a.tariff_id, a.balance FROM billing_account a
        JOIN subscribers_line l ON l.id = a.subscriber_id WHERE l.msisdn = '{msisdn}'""")[0]
    for _ in range(count):
        status, body, _ = client.retry("GET", "/api/v1/me/dashboard")
        expect(status == 200, f"dashboard: {status}")
        shown = json.loads(body)
        amount = int(decimal.Decimal(shown["balance"]["amount"]) * 100)
        expect(shown["tariff"]["id"] == tariff and amount == int(balance),
               f"a node's dashboard shows {shown['tariff']['id']} {shown['balance']['amount']}; "
               f"the database has {tariff} {balance} (minor units)")
    return int(balance)


def journey(cluster, db):
    upstreams = []
    one = cluster.login("+79000000001", "10.7.0.1", seen=upstreams)
    # Every node reads (and keeps) the line's dashboard before other nodes change it.
    before = dashboards_agree(one, db, "+79000000001")
    status, body, _ = one.retry("POST", "/api/v1/me/tariff/change", {"tariff": DAILY_TARIFF}, key=str(uuid.uuid4()))
    expect(status in (200, 201), f"tariff change: {status} {body[:300]}")
    status, body, _ = one.retry("GET", "/api/v1/me/tariff")
    expect(DAILY_TARIFF in body.decode(), "the new tariff is the line's")
    top_up(one, "700.00")
    after = dashboards_agree(one, db, "+79000000001")
    expect(after != before, "the top-up changed the balance every node shows")
    low = cluster.login("+79000000003", "10.7.0.3", seen=upstreams)
    status, body, _ = low.retry("POST", "/api/v1/me/promised-payment", {"amount": "50.00"}, key=str(uuid.uuid4()))
    expect(status == 201, f"promised payment: {status} {body[:300]}")
    # A statement is mailed only to a confirmed address: the code comes by e-mail (the file sink all nodes share).
    before = set(os.listdir(cluster.mail))
    status, body, _ = one.retry("POST", "/api/v1/me/profile/email/send", {}, key=str(uuid.uuid4()))
    expect(status in (200, 202, 204), f"e-mail code sent: {status} {body[:300]}")
    code = None
    deadline = time.time() + 30
    while time.time() < deadline and not code:
        for name in set(os.listdir(cluster.mail)) - before:
            text = mail_text(os.path.join(cluster.mail, name))
            found = re.search(r"\b(\d{6})\b", text) if "demo1.msk@cabinet.local" in text else None
            code = found.group(1) if found else code
        time.sleep(0.2)
    expect(code, "the e-mail confirmation code arrived")
    status, body, _ = one.retry("POST", "/api/v1/me/profile/email/confirm", {"code": code}, key=str(uuid.uuid4()))
    expect(status in (200, 204), f"e-mail confirmed: {status} {body[:300]}")
    today = cluster.clock_now().date()
    before = set(os.listdir(cluster.mail))
    status, body, _ = one.retry("POST", "/api/v1/me/statements",
                                {"from": (today - datetime.timedelta(days=20)).isoformat(), "to": today.isoformat()},
                                key=str(uuid.uuid4()))
    expect(status in (200, 201, 202), f"statement ordered: {status} {body[:300]}")
    deadline = time.time() + 60
    mailed = None
    while time.time() < deadline and not mailed:
        for name in set(os.listdir(cluster.mail)) - before:
            with open(os.path.join(cluster.mail, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            if "demo1.msk@cabinet.local" in text and "application/pdf" in text:
                mailed = name
        time.sleep(0.3)
    expect(mailed, "the statement was mailed with its PDF")
    nodes = {u for u in upstreams if u}
    expect(len(nodes) >= 2, f"requests landed on one node only: {nodes}")
    say(f"journey: {len(upstreams)} requests through nginx, served by {len(nodes)} nodes")
    return len(nodes)


def fee_month(cluster, db, days):
    """Daily-tariff lines funded, then every node's clock moved a day at a time."""
    clients = []
    for index, msisdn in enumerate(FEE_LINES):
        status, body, _ = operator(cluster, "POST", "/operator/v1/subscribers", {"msisdn": msisdn, "region": "msk"})
        expect(status in (201, 200), f"provision {msisdn}: {status} {body[:200]}")
        client = cluster.login(msisdn, f"10.8.0.{index + 1}")
        top_up(client, "2000.00")
        status, body, _ = client.retry("POST", "/api/v1/me/tariff/change", {"tariff": DAILY_TARIFF}, key=str(uuid.uuid4()))
        expect(status in (200, 201), f"daily tariff for {msisdn}: {status} {body[:200]}")
        clients.append(client)
    ids = db.rows("SELECT id FROM subscribers_line WHERE msisdn IN (" + ",".join(f"'{m}'" for m in FEE_LINES) + ")")
    ids = [row[0] for row in ids]
    expect(len(ids) == len(FEE_LINES), "the fee lines are provisioned")
    in_ids = ",".join(ids)

    def fees():
        return int(db.value(f"""SELECT COUNT(*) FROM billing_transaction t JOIN billing_entry e ON e.transaction_id = t.id
            JOIN billing_account a ON a.id = e.account_id WHERE t.kind = 'fee' AND a.subscriber_id IN ({in_ids})"""))

    def node_opened():
        total = 0
        for node in cluster.nodes:
            with open(node.log.name, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if '"periods opened"' in line:
                        try:
                            total += int(json.loads(line).get("cabinet.lines", "0"))
                        except ValueError:
                            pass
        return total

    periods_before = int(db.value("SELECT COUNT(*) FROM billing_period"))
    opened_before = node_opened()
    fees_before = fees()
    # Each step: the next day at 00:30 Moscow time, then wait until every fee line has that day's fee.
    moscow = datetime.timezone(datetime.timedelta(hours=3))
    day = cluster.clock_now().astimezone(moscow).date()
    started = time.time()
    for step in range(1, days + 1):
        target = datetime.datetime.combine(day + datetime.timedelta(days=step), datetime.time(0, 30), moscow)
        cluster.set_clock(target)
        deadline = time.time() + 40
        while fees() < fees_before + step * len(ids):
            expect(time.time() < deadline, f"day {step}: fees {fees() - fees_before} of {step * len(ids)}")
            time.sleep(0.2)
        # A message a node has claimed is another's once the claim's lease is over: the day jumps only when
        # nothing is in flight (real time does not jump by a day).
        while int(db.value("SELECT COUNT(*) FROM messaging_outbox WHERE status = 'pending' AND attempts > 0")) > 0:
            expect(time.time() < deadline, f"day {step}: the outbox did not empty")
            time.sleep(0.2)
    # The last step's periods may still be opening on lines of other tariffs: let the fee job finish its run.
    time.sleep(3)
    charged = fees() - fees_before
    periods = int(db.value("SELECT COUNT(*) FROM billing_period")) - periods_before
    opened = node_opened() - opened_before
    per_line_day = db.rows(f"""SELECT t.external_id, COUNT(*) FROM billing_transaction t
        JOIN billing_entry e ON e.transaction_id = t.id JOIN billing_account a ON a.id = e.account_id
        WHERE t.kind = 'fee' AND a.subscriber_id IN ({in_ids}) GROUP BY t.external_id HAVING COUNT(*) > 1""")
    say(f"fee month: {days} days in {time.time() - started:.0f}s; {charged} daily fees on {len(ids)} lines; "
        f"{periods} periods opened in the database, {opened} by the nodes' own count")
    expect(charged == days * len(ids), f"each fee line charged once a day: {charged} != {days * len(ids)}")
    expect(not per_line_day, f"a fee posted twice: {per_line_day[:3]}")
    expect(opened == periods, f"the nodes opened {opened} periods, the database has {periods}: work done twice")
    return charged


def operator(cluster, method, path, body):
    client = chaos.Client(cluster.base, token=OPERATOR_KEY)
    return client.retry(method, path, body)


def sms_count(cluster, db):
    """(sent rows, messages at the SMSC, sent rows the SMSC never received) once the outbox has emptied."""
    deadline = time.time() + 30
    while time.time() < deadline:
        pending = int(db.value("SELECT COUNT(*) FROM messaging_outbox WHERE channel = 'sms' AND status = 'pending'"))
        if pending == 0:
            break
        time.sleep(0.5)
    rows = db.rows("SELECT recipient, body FROM messaging_outbox WHERE channel = 'sms' AND status = 'sent'")
    received = {(m["to"], m["text"]) for m in cluster.smsc_messages()}
    # Sensitive bodies (codes) may be blanked once sent: those are matched by recipient only.
    recipients = {m["to"] for m in cluster.smsc_messages()}
    missing = [r for r in rows if (r[0].lstrip("+"), r[1]) not in received and r[0].lstrip("+") not in recipients]
    return len(rows), len(cluster.smsc_messages()), len(missing)


def leases(db):
    rows = db.rows("SELECT name, holder, expires_at FROM cabinet_job_lease")
    return [(name, holder, int(expires)) for name, holder, expires in rows]


def health(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
        return json.loads(response.read())


def reload_by_signal(cluster):
    """The region files changed on every node's disk; `kill -HUP` to one node, and the others follow it."""
    before = {node.name: health(node.port)["regions"] for node in cluster.nodes}
    expect(len(set(before.values())) == 1, f"the nodes start on one version: {before}")
    path = os.path.join(cluster.args.regions, "msk.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    expect("Москва и Московская область" in text, "msk.yaml has its name")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("Москва и Московская область", "Москва и область"))
    first = cluster.nodes[0]
    first.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 30
    while time.time() < deadline:
        now = {node.name: health(node.port)["regions"] for node in cluster.nodes}
        if all(version != before[name] for name, version in now.items()) and len(set(now.values())) == 1:
            break
        time.sleep(0.3)
    else:
        raise SystemExit(f"FAILED: the nodes did not all reload: {before} -> {now}")
    expect(first.process.poll() is None, "SIGHUP did not stop the node")
    status, body, _ = chaos.Client(cluster.base).retry("GET", "/")
    expect("Москва и область" in body.decode(), "the new name is served")
    say(f"regions reloaded by SIGHUP on {first.name}, the others followed: {before[first.name]} -> {now[first.name]}")
    return "ok"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cabinet", required=True)
    parser.add_argument("--database", required=True, help="PostgreSQL, direct (the nodes go through PgBouncer)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--regions", default="Regions", help="a copy of the region files the test may change")
    parser.add_argument("--work", required=True)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--chaos-seconds", type=int, default=60)
    parser.add_argument("--budget", type=int, default=1200, help="seconds the whole test may take")
    args = parser.parse_args()
    random.seed(7)
    cluster = Cluster(args, args.work)
    direct = chaos.Database(args.database)
    try:
        cluster.start_smsc()
        cluster.start_pgbouncer()
        ports = [free_port() for _ in range(3)]
        cluster.start_nginx(ports)
        cluster.set_clock(datetime.datetime.now(datetime.timezone.utc))
        cluster.start_nodes(ports)
        demo = cluster.cabinet("demo")
        expect(demo.returncode == 0, f"cabinet demo: {demo.stderr[-500:]}")

        served_by = journey(cluster, direct)
        reload = reload_by_signal(cluster)
        charged = fee_month(cluster, direct, args.days)
        # No node was killed yet: every SMS so far reached the SMSC exactly once.
        sent_before, delivered_before, missing = sms_count(cluster, direct)
        say(f"SMS before the chaos: {sent_before} sent by the outbox, {delivered_before} received by the SMSC")
        expect(sent_before == delivered_before and missing == 0, "each SMS sent once")

        # The chaos load through nginx, one node killed every 2-5 s.
        clients = {n: cluster.login(n, f"10.9.{i}.1") for i, n in enumerate(chaos.NUMBERS)}
        load = chaos.Load(clients, chaos.NUMBERS, workers=6)
        kills = [0]

        def killer(stop):
            r = random.Random(5)
            while not stop.is_set():
                time.sleep(r.uniform(2.0, 5.0))
                if stop.is_set():
                    break
                node = r.choice(cluster.nodes)
                node.kill()
                kills[0] += 1
                node.start()

        say(f"chaos through nginx for {args.chaos_seconds}s")
        elapsed = load.run(args.chaos_seconds, killer)
        settled_in = chaos.settle(direct)
        # Leases of the killed lapse in 30 s; the frequent jobs' leases must then be held by live nodes.
        time.sleep(max(0, 36 - settled_in))
        live = {str(n.process.pid) for n in cluster.nodes}
        short = ("billing.fees", "billing.statements", "payments.reconcile", "corporate.bulk")
        now_ms = int(cluster.clock_now().timestamp() * 1000)
        held = leases(direct)
        dead_held = [(n, h) for n, h, e in held if n in short and (h.split(":")[1] not in live or e <= now_ms)]
        # A node killed between the SMSC's answer and marking the row sent lets the message go again after the
        # claim's lease (at least once, by design): none may be missing; repeats are counted.
        sent, delivered, missing = sms_count(cluster, direct)
        say(f"SMS in all: {sent} sent by the outbox, {delivered} received by the SMSC, {missing} missing")
        stopped = {str(n.process.pid) for n in cluster.nodes}
        for node in cluster.nodes:
            node.stop()
        after_stop = leases(direct)
        kept_by_stopped = [(n, h) for n, h, e in after_stop if h.split(":")[1] in stopped]
        leases_ok = not dead_held and not kept_by_stopped
        if not leases_ok:
            print(f"LEASES: held by the dead {dead_held}, kept after a graceful stop {kept_by_stopped}", file=sys.stderr)
        result = chaos.verify(direct, load, args.cabinet, cluster.env())
        counts = load.counts()
        say(f"chaos: {counts}, refused {len(load.refused)}, unanswered after retries {load.unanswered}, kills {kills[0]}, "
            f"settled in {settled_in:.0f}s")
        ok = result["ok"] and missing == 0 and delivered >= sent and leases_ok
        print(f"RESULT nodes=3 journey=ok served_by={served_by} reload={reload} fees_once=ok fees={charged} "
              f"sms_once=ok sms={sent_before} sms_lost={missing} sms_repeated={delivered - sent} "
              f"acknowledged={len(load.journal)} "
              f"lost={result['lost']} twice={result['twice']} kills={kills[0]} chaos_s={elapsed:.0f} "
              f"ledger={result['ledger']} leases={'ok' if leases_ok else 'FAILED'} stuck_transfers={result['stuck']}")
        sys.exit(0 if ok else 1)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
