#!/usr/bin/env bash
# moto's server (PyPI moto[server]) on 127.0.0.1, on a port chosen free when it starts.
#
#   scripts/peers/moto.sh start DIR        start it, wait until it answers, write DIR/env
#   scripts/peers/moto.sh enable-auth DIR  reset moto and require SigV4 from now on (see
#                                          moto_auth.py); writes the key to DIR/auth-env
#   scripts/peers/moto.sh disable-auth DIR reset moto and go back to no checks
#   scripts/peers/moto.sh stop DIR         stop it, by its PID
#
# DIR/env (shell syntax): MOTO_ENDPOINT and S3_ENDPOINT=http://127.0.0.1:PORT, AWS_REGION,
# and placeholder keys (moto without auth takes any). DIR/auth-env: the same with the key pair
# moto's IAM issued. The Python is $PYTHON, else the repository's .venv, else python3; it must
# import moto[server] (scripts/setup.sh installs it into .venv).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/scripts/peers
if [[ -n ${PYTHON:-} ]]; then PY=$PYTHON
elif [[ -x $ROOT/.venv/bin/python ]]; then PY=$ROOT/.venv/bin/python
else PY=python3; fi

die() { printf 'moto: %s\n' "$*" >&2; exit 1; }

stop() {
    local pidfile=$1/moto.pid pid i
    [[ -f $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

endpoint_of() {
    [[ -f $1/env ]] || die "$1/env missing: start it first"
    sed -n 's/^MOTO_ENDPOINT=//p' "$1/env"
}

start() {
    local dir=$1 port endpoint i
    "$PY" -c 'import moto.server, flask, flask_cors' 2>/dev/null \
        || die "$PY cannot import moto.server: pip install 'moto[server]' (scripts/setup.sh does)"
    mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
    stop "$dir"; rm -f "$dir/env" "$dir/auth-env"
    port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    endpoint=http://127.0.0.1:$port
    # Threaded werkzeug server, bound to 127.0.0.1 only.
    setsid "$PY" -m moto.server -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 </dev/null &
    echo $! >"$dir/moto.pid"
    for i in $(seq 1 300); do
        kill -0 "$(cat "$dir/moto.pid")" 2>/dev/null || { tail -n 30 "$dir/moto.log" >&2; rm -f "$dir/moto.pid"; die "moto exited"; }
        "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json", timeout=1).read()' \
            "$endpoint" 2>/dev/null && break
        ((i < 300)) || { tail -n 30 "$dir/moto.log" >&2; stop "$dir"; die "moto did not come up at $endpoint"; }
        sleep 0.1
    done
    cat >"$dir/env" <<EOF
MOTO_ENDPOINT=$endpoint
S3_ENDPOINT=$endpoint
AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing
AWS_REGION=us-east-1
AWS_DEFAULT_REGION=us-east-1
EOF
    printf '== moto: up at %s (PID %s, log %s/moto.log)\n' "$endpoint" "$(cat "$dir/moto.pid")" "$dir" >&2
}

enable_auth() {
    local dir=$1 endpoint keys
    endpoint=$(endpoint_of "$dir")
    keys=$("$PY" "$HERE/moto_auth.py" "$endpoint") || die "enabling auth failed"
    read -r access secret <<<"$keys"
    cat >"$dir/auth-env" <<EOF
MOTO_ENDPOINT=$endpoint
S3_ENDPOINT=$endpoint
AWS_ACCESS_KEY_ID=$access
AWS_SECRET_ACCESS_KEY=$secret
AWS_REGION=us-east-1
AWS_DEFAULT_REGION=us-east-1
EOF
    echo "$access $secret"
}

case "${1:-}" in
start) [[ $# -eq 2 ]] || die "usage: $0 start DIR"; start "$2" ;;
stop) [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
enable-auth) [[ $# -eq 2 ]] || die "usage: $0 enable-auth DIR"; enable_auth "$2" ;;
disable-auth) [[ $# -eq 2 ]] || die "usage: $0 disable-auth DIR"; "$PY" "$HERE/moto_auth.py" --off "$(endpoint_of "$2")"; rm -f "$2/auth-env" ;;
*) echo "usage: $0 start DIR | enable-auth DIR | disable-auth DIR | stop DIR" >&2; exit 2 ;;
esac
