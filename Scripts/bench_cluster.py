#!/usr/bin/env python3
"""Throughput with 1, 2 and 3 Cabinet nodes on one PostgreSQL (through PgBouncer, transaction pooling) behind nginx,
and what a PostgreSQL-backed node costs per request beside the SQLite server. Called by Scripts/bench-cluster.sh with
a seeded PostgreSQL database, a seeded SQLite file and signed sandbox webhooks; everything on 127.0.0.1.

The nodes share the machine's two cores with PostgreSQL, nginx and wrk, so requests per second cannot grow with
nodes here; what each figure says is the CPU each process spent per request (from /proc), which is what grows a
deployment: nodes on their own machines add their requests per second while the database keeps up.

The dashboard bench asks the same 256 sessions' lines again and again, so a PostgreSQL node answers them from its
line-stamped caches (one round trip per dashboard, DESIGN.md §5), as the SQLite server answers from its read caches.
`dash_miss_*` measures one node while every line's stamp keeps changing: each dashboard then misses and pays the four
reads a line written since its last dashboard costs. Ends with one RESULT line."""
import argparse
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_test  # noqa: E402

TICK_US = 1_000_000 / os.sysconf("SC_CLK_TCK")


def ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def pids_named(name):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return found


def wrk(url, seconds, connections, script=None, env=None):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, env=dict(os.environ, **(env or {})),
                         timeout=seconds + 30).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"non-2xx answers from {url}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    match = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    p99 = float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
    return requests, rps, p99


def measure(url, seconds, connections, groups, script=None, env=None):
    """One wrk run; the CPU (µs) each group of processes spent per request."""
    before = {name: ticks(pids) for name, pids in groups.items()}
    requests, rps, p99 = wrk(url, seconds, connections, script, env)
    after = {name: ticks(pids) for name, pids in groups.items()}
    cpu = {name: (after[name] - before[name]) * TICK_US / max(1, requests) for name in groups}
    return rps, p99, cpu


class StampChurn:
    """Gives every line a new stamp about every 20 ms, through one psql session, while the block runs."""

    def __init__(self, database):
        self.database = database.split("?")[0]
        self.rounds = 0

    def __enter__(self):
        self.psql = subprocess.Popen(["psql", self.database, "-q"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def run(self):
        while not self.stop.is_set():
            self.psql.stdin.write("UPDATE cabinet_line_stamp SET stamp = stamp + 1;\n")
            self.psql.stdin.flush()
            self.rounds += 1
            self.stop.wait(0.02)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.psql.stdin.close()
        self.psql.wait(timeout=30)


def start_node(binary, port, env, log):
    process = subprocess.Popen([binary, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=1):
                return process
        except Exception:  # noqa: BLE001 - not up yet
            if process.poll() is not None:
                raise SystemExit(f"a node stopped at start; see {log.name}")
            time.sleep(0.1)
    raise SystemExit("a node did not come up")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="folder with the release cabinet")
    parser.add_argument("--database", required=True, help="seeded PostgreSQL (direct URL)")
    parser.add_argument("--sqlite", required=True, help="seeded SQLite file")
    parser.add_argument("--hooks", required=True, help="signed webhooks of pending payments (topup-seed)")
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    scripts = os.path.dirname(os.path.abspath(__file__))
    cabinet = os.path.join(args.bin, "cabinet")
    options = argparse.Namespace(database=args.database, python=sys.executable, budget=3600, regions="Regions")
    cluster = cluster_test.Cluster(options, args.work)
    nodes, figures = [], {}
    tokens = os.path.join(args.work, "tokens")
    hook_offset = 0
    try:
        cluster.start_pgbouncer()

        def env(name, database):
            return dict(os.environ, CABINET_DATABASE_URL=database, CABINET_LOG_LEVEL="error",
                        CABINET_TRUSTED_PROXIES="127.0.0.1", CABINET_MAIL_DIR=os.path.join(args.work, "mail"),
                        CABINET_OUTBOX_POLL="60s", CABINET_SANDBOX="true", CABINET_NODE_NAME=name)

        for count in (1, 2, 3):
            ports = [cluster_test.free_port() for _ in range(count)]
            for index, port in enumerate(ports):
                log = open(os.path.join(args.work, f"node{index + 1}-{count}.log"), "ab")
                nodes.append(start_node(cabinet, port, env(f"node{index + 1}", cluster.url), log))
            cluster.start_nginx(ports)
            nginx = cluster.processes[-1]
            if count == 1:
                subprocess.run([sys.executable, os.path.join(scripts, "bench_sessions.py"), "--port", str(cluster.lb_port),
                                "--database", args.database, "--lines", str(args.lines), "--count", "256", "--out",
                                tokens], check=True)
            groups = {"nodes": [p.pid for p in nodes], "postgres": pids_named("postgres"),
                      "pgbouncer": pids_named("pgbouncer"), "nginx": pids_named("nginx")}
            dashboard = os.path.join(scripts, "bench-dashboard.lua")
            cluster_test.say(f"{count} node(s): warm-up, dashboard, top-ups")
            wrk(cluster.base, 3, 64, dashboard, {"BENCH_TOKENS": tokens})
            rps, p99, cpu = measure(cluster.base, args.seconds, 64, groups, dashboard, {"BENCH_TOKENS": tokens})
            figures[f"dash_rps_{count}"] = f"{rps:.0f}"
            figures[f"dash_p99_ms_{count}"] = f"{p99:.1f}"
            figures[f"dash_node_cpu_us_{count}"] = f"{cpu['nodes']:.0f}"
            figures[f"dash_pg_cpu_us_{count}"] = f"{cpu['postgres'] + cpu['pgbouncer']:.0f}"
            if count == 1:
                # The node asked directly, as the SQLite server is below: the same path but for the database.
                direct = f"http://127.0.0.1:{ports[0]}"
                rps, p99, cpu = measure(direct, args.seconds, 64, groups, dashboard, {"BENCH_TOKENS": tokens})
                figures["dash_direct_rps"] = f"{rps:.0f}"
                figures["dash_direct_node_cpu_us"] = f"{cpu['nodes']:.0f}"
                # The same while every line's stamp keeps changing (as if each line were written between two of its
                # dashboards): the node's line caches miss, and each dashboard pays its four reads.
                with StampChurn(args.database) as churn:
                    rps, p99, cpu = measure(direct, args.seconds, 64, groups, dashboard, {"BENCH_TOKENS": tokens})
                figures["dash_miss_rps"] = f"{rps:.0f}"
                figures["dash_miss_node_cpu_us"] = f"{cpu['nodes']:.0f}"
                figures["stamp_rounds"] = str(churn.rounds)
            rps, p99, cpu = measure(cluster.base, args.seconds, 64, groups, os.path.join(scripts, "bench-topup.lua"),
                                    {"BENCH_WEBHOOKS": args.hooks, "BENCH_WEBHOOK_OFFSET": str(hook_offset)})
            hook_offset += int(rps * (args.seconds + 2)) + 1000
            figures[f"topup_rps_{count}"] = f"{rps:.0f}"
            figures[f"topup_node_cpu_us_{count}"] = f"{cpu['nodes']:.0f}"
            figures[f"topup_pg_cpu_us_{count}"] = f"{cpu['postgres'] + cpu['pgbouncer']:.0f}"
            cluster_test.say(" ".join(f"{k}={v}" for k, v in figures.items() if k.endswith(f"_{count}")))
            nginx.terminate()
            nginx.wait()
            cluster.processes.remove(nginx)
            for process in nodes:
                process.terminate()
                process.wait(timeout=30)
            nodes = []

        # The SQLite server on the same lines, asked directly (no proxy, no database process).
        port = cluster_test.free_port()
        log = open(os.path.join(args.work, "sqlite.log"), "ab")
        nodes.append(start_node(cabinet, port, env("sqlite", f"sqlite://{args.sqlite}"), log))
        sqlite_tokens = os.path.join(args.work, "tokens-sqlite")
        subprocess.run([sys.executable, os.path.join(scripts, "bench_sessions.py"), "--port", str(port), "--database",
                        args.sqlite, "--lines", str(args.lines), "--count", "256", "--out", sqlite_tokens], check=True)
        base = f"http://127.0.0.1:{port}"
        dashboard = os.path.join(scripts, "bench-dashboard.lua")
        wrk(base, 3, 64, dashboard, {"BENCH_TOKENS": sqlite_tokens})
        rps, p99, cpu = measure(base, args.seconds, 64, {"server": [nodes[0].pid]}, dashboard,
                                {"BENCH_TOKENS": sqlite_tokens})
        figures["sqlite_dash_rps"] = f"{rps:.0f}"
        figures["sqlite_dash_cpu_us"] = f"{cpu['server']:.0f}"
        node = float(figures["dash_node_cpu_us_1"])
        figures["pg_node_vs_sqlite_cpu"] = f"{node / max(1.0, cpu['server']):.2f}"
        figures["pg_node_plus_db_vs_sqlite_cpu"] = (
            f"{(node + float(figures['dash_pg_cpu_us_1'])) / max(1.0, cpu['server']):.2f}")
        figures["pg_direct_vs_sqlite_cpu"] = (
            f"{float(figures['dash_direct_node_cpu_us']) / max(1.0, cpu['server']):.2f}")
        figures["pg_miss_vs_sqlite_cpu"] = f"{float(figures['dash_miss_node_cpu_us']) / max(1.0, cpu['server']):.2f}"
        print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    finally:
        for process in nodes:
            if process.poll() is None:
                process.terminate()
        cluster.stop()


if __name__ == "__main__":
    main()
