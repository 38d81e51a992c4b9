#!/usr/bin/env bash
# A strict S3 on this machine: a one-node OpenStack Swift (Debian's packages) with its S3 API
# (s3api + tempauth), listening on 127.0.0.1 only, on ports chosen free when it starts.
#
#   scripts/peers/s3-swift.sh install     apt-get install what is missing (root, or sudo)
#   scripts/peers/s3-swift.sh start DIR   lay out a ring and configs under DIR, start the account,
#                                         container, object and proxy servers, wait until S3 answers,
#                                         write DIR/env
#   scripts/peers/s3-swift.sh stop DIR    stop the servers started by `start DIR`, by their PIDs
#
# DIR/env (shell syntax, one VAR=value a line):
#   S3_ENDPOINT=http://127.0.0.1:PORT  AWS_ACCESS_KEY_ID=test:tester  AWS_SECRET_ACCESS_KEY=testing
#   AWS_REGION=us-east-1 (also AWS_DEFAULT_REGION)
# Addressing is path-style (http://127.0.0.1:PORT/bucket/key). The bucket must be created first.
#
# What makes it strict (Swift 2.30's s3api): SigV4 is checked (SignatureDoesNotMatch,
# InvalidAccessKeyId), X-Amz-Date more than 15 minutes off is RequestTimeTooSkewed, a credential
# scope with another region is AuthorizationHeaderMalformed, a body whose SHA-256 differs from
# x-amz-content-sha256 is BadDigest (XAmzContentSHA256Mismatch on AWS), a missing
# x-amz-content-sha256 is InvalidRequest, a wrong Content-MD5 is BadDigest, multipart parts below
# 5 MiB (but the last) fail CompleteMultipartUpload with EntityTooSmall.
#
# The proxy pipeline needs the `cache` middleware (tempauth raises "Memcache required" without it)
# but no memcached server: every memcache call fails fast against a closed port and Swift goes on
# uncached. The memcache client is pointed at a port of this run's own (chosen free, never bound),
# and each server's syslog copy goes to an unbound UDP port on 127.0.0.1; console logs go to
# DIR/run/*.log.
#
# Never install python3-swiftclient: its /usr/bin/swift would shadow the Swift toolchain.
set -euo pipefail

APT_PACKAGES=(swift-proxy swift-account swift-container swift-object)
SERVERS=(account container object proxy)
PY=${PYTHON:-python3}

say() { printf '== s3-swift: %s\n' "$*" >&2; }
die() { printf 's3-swift: %s\n' "$*" >&2; exit 1; }

install() {
    local missing=() package
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    say "apt-get install ${missing[*]}"
    local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    # --no-install-recommends: Swift's recommends pull in python3-swiftclient (/usr/bin/swift).
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ -e /usr/bin/swift ]] && dpkg -S /usr/bin/swift >/dev/null 2>&1; then
        say "warning: /usr/bin/swift exists ($(dpkg -S /usr/bin/swift)): it may shadow the Swift toolchain"
    fi
}

# N free TCP ports on 127.0.0.1 (held open together while choosing, so they differ).
free_ports() {
    "$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
    local dir=$1 pidfile pid pids=() i alive
    [[ -d $dir/run ]] || return 0
    for pidfile in "$dir"/run/*.pid; do
        [[ -f $pidfile ]] || continue
        pid=$(cat "$pidfile")
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        rm -f "$pidfile"
    done
    ((${#pids[@]})) || return 0
    for i in $(seq 1 50); do  # up to 5 s for all of them, then SIGKILL what is left
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || return 0
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

start() {
    local dir=$1
    command -v swift-ring-builder >/dev/null && [[ -x /usr/bin/swift-proxy-server ]] \
        || die "Swift is not installed: run $0 install"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    stop "$dir"
    local etc=$dir/etc node=$dir/srv/node run=$dir/run
    rm -rf "$etc" "$dir/srv" "$run" "$dir/env"
    mkdir -p "$etc" "$node/d1" "$run"

    local ports account_port container_port object_port proxy_port memcache_port syslog_port
    read -r account_port container_port object_port proxy_port memcache_port syslog_port <<<"$(free_ports 6)"
    ports="account:$account_port container:$container_port object:$object_port"

    cat >"$etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_suffix = ddbcdc-test-suffix
swift_hash_path_prefix = ddbcdc-test-prefix
[storage-policy:0]
name = Policy-0
default = yes
EOF
    local common="bind_ip = 127.0.0.1
workers = 0
swift_dir = $etc
user = $(id -un)
log_level = WARNING
log_udp_host = 127.0.0.1
log_udp_port = $syslog_port"
    local entry name port
    for entry in $ports; do
        name=${entry%%:*}; port=${entry##*:}
        (cd "$etc" &&
            swift-ring-builder "$name.builder" create 8 1 1 >/dev/null &&
            swift-ring-builder "$name.builder" add "r1z1-127.0.0.1:$port/d1" 100 >/dev/null &&
            swift-ring-builder "$name.builder" rebalance >/dev/null) || die "ring $name failed"
        cat >"$etc/$name-server.conf" <<EOF
[DEFAULT]
$common
bind_port = $port
devices = $node
mount_check = false
[pipeline:main]
pipeline = $name-server
[app:$name-server]
use = egg:swift#$name
EOF
    done

    cat >"$etc/proxy-server.conf" <<EOF
[DEFAULT]
$common
bind_port = $proxy_port
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
# The defaults, spelled out: they are what this peer is for.
allowable_clock_skew = 900
min_segment_size = 5242880
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$memcache_port
connect_timeout = 0.05
tries = 1
# No memcached runs: keep its "error-limited" complaints out of the log.
set log_level = CRITICAL
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF

    local server
    for server in "${SERVERS[@]}"; do
        # -v: logs to the console (our log file) as well as to syslog.
        setsid "/usr/bin/swift-$server-server" "$etc/$server-server.conf" -v >"$run/$server.log" 2>&1 </dev/null &
        echo $! >"$run/$server.pid"
    done

    local endpoint=http://127.0.0.1:$proxy_port i
    for i in $(seq 1 300); do
        for server in "${SERVERS[@]}"; do
            alive "$run/$server.pid" || { tail -n 30 "$run/$server.log" >&2; stop "$dir"; die "swift-$server-server exited"; }
        done
        if "$PY" - "$endpoint" "$account_port" "$container_port" "$object_port" <<'EOF' 2>/dev/null; then
import socket, sys, urllib.request
for port in sys.argv[2:]:
    socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
urllib.request.urlopen(sys.argv[1] + "/healthcheck", timeout=1).read()
EOF
            break
        fi
        ((i < 300)) || { tail -n 30 "$run"/*.log >&2; stop "$dir"; die "S3 did not come up at $endpoint"; }
        sleep 0.1
    done

    cat >"$dir/env" <<EOF
S3_ENDPOINT=$endpoint
AWS_ACCESS_KEY_ID=test:tester
AWS_SECRET_ACCESS_KEY=testing
AWS_REGION=us-east-1
AWS_DEFAULT_REGION=us-east-1
EOF
    say "up at $endpoint (PIDs in $run, logs $run/*.log)"
}

case "${1:-}" in
install) install ;;
start) [[ $# -eq 2 ]] || die "usage: $0 start DIR"; start "$2" ;;
stop) [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; stop "$(cd "$2" 2>/dev/null && pwd || echo "$2")" ;;
*) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
