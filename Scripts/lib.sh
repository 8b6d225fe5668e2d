# Shared helpers of Cabinet's scripts: installing Debian packages when missing and a throwaway PostgreSQL.
# Source it: `. "$(dirname "$0")/lib.sh"`.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1
    fi
}

# apt_install PACKAGE...: installs what dpkg does not list yet. Retries once: another apt on the machine may
# have removed the downloaded archives under it.
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null || true
    as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { sleep 5; as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}

postgres_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_postgres: a private PostgreSQL on 127.0.0.1 in a temporary folder; sets PG_URL, PG_DIR, PG_BIN.
# Call stop_postgres when done (the callers trap EXIT).
start_postgres() {
    PG_BIN=$(postgres_bin) || true
    if [ -z "${PG_BIN:-}" ]; then
        apt_install postgresql
        PG_BIN=$(postgres_bin)
    fi
    PG_DIR=$(mktemp -d /tmp/cabinet-pg.XXXXXX)
    local port run=()
    port=$(free_port)
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root; its Debian package creates the postgres user.
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PG_DIR" postgres
        chown postgres "$PG_DIR"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    # The suite runs many PostgreSQL tests at once, each with a schema and a small pool of its own, and a few whole
    # runtimes with larger pools: at 400 connections a runtime started late in the run found the server full.
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=1000 -c fsync=on" start >/dev/null \
        || { cat "$PG_DIR/server.log" >&2; return 1; }
    PG_RUN=("${run[@]}")
    "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE cabinet_test" >/dev/null
    PG_URL="postgres://postgres@127.0.0.1:$port/cabinet_test?sslmode=disable"
    log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_DIR)"
}

stop_postgres() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}

# tools_python: a private venv (.venv-tools) with the Python test peers' packages (selenium and axe-core's
# axe-selenium-python for the browser test, aiosmtpd for the SMTP tests, schemathesis for the API conformance run,
# smpp34 for an SMSC written by others);
# prints its python. Pinned to major versions; installed once.
tools_python() {
    local venv=.venv-tools
    if [ ! -x "$venv/bin/python" ]; then
        log "creating $venv (selenium, aiosmtpd, schemathesis)"
        python3 -m venv "$venv" >&2 || { apt_install python3-venv; python3 -m venv "$venv" >&2; }
    fi
    "$venv/bin/python" -c "import selenium, aiosmtpd, schemathesis, axe_selenium_python, smpp34" 2>/dev/null \
        || "$venv/bin/pip" install -q "selenium>=4.20,<5" "aiosmtpd>=1.4,<2" "schemathesis>=4.3,<5" \
            "axe-selenium-python>=2.1,<3" "smpp34>=1.5,<2" >&2
    echo "$(pwd)/$venv/bin/python"
}
