#!/usr/bin/env bash
# Cold start of the packaged Lambda function under the Runtime Interface Emulator, and its zip size.
#
#   scripts/bench-lambda.sh                 # packages first (scripts/package-lambda.sh)
#   SKIP_PACKAGE=1 TRIALS=15 scripts/bench-lambda.sh
#
# Each trial starts a fresh aws-lambda-rie (127.0.0.1, free ports) with build/lambda/bootstrap and
# the strict S3 peer (scripts/peers/s3-swift.sh, started once) and sends two invocations:
#   first  -- from the POST to the answer. The emulator starts the runtime on the first invoke
#             (INIT START(type: on-demand, phase: invoke)), so this is process start -> first
#             response: exec, init, fetching the event, the handler (normalize, gzip, PutObject
#             to the local S3) and posting the answer;
#   init   -- the emulator's INIT REPORT: runtime process start -> its first /invocation/next;
#   warm   -- the same kind of invocation again on the live process: the handler's own time.
# first - warm is what a cold start adds. Events: an empty batch (no S3 request: the runtime's
# own cold start), one record, and 200 generated records (gen_events.py --seed 5); and, for
# scale, the S3 peer's time for one small PutObject. Figures are medians (and min / max) over TRIALS; the machine is a
# shared 2-core VM, so expect noise. For comparison it also times `import boto3` plus an S3
# client in Python (the floor of a Python handler's init), the same number of times.
#
# Environment: TRIALS (11), SKIP_PACKAGE=1 to use the existing build/lambda/bootstrap,
#              DDBCDC_BOOTSTRAP (another bootstrap), PYTHON (.venv/bin/python).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TRIALS=${TRIALS:-11}
PYTHON=${PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3

if [[ ${SKIP_PACKAGE:-0} != 1 ]]; then
    scripts/package-lambda.sh >&2
fi
BOOTSTRAP=${DDBCDC_BOOTSTRAP:-$ROOT/build/lambda/bootstrap}
[[ -x $BOOTSTRAP ]] || { echo "no bootstrap at $BOOTSTRAP: run scripts/package-lambda.sh" >&2; exit 1; }

exec "$PYTHON" - "$BOOTSTRAP" "$TRIALS" <<'EOF'
import re, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT / "Tests" / "lambda"))
import conftest as lam  # the Emulator, the RIE fetch, the Swift peer's env file

bootstrap, trials = Path(sys.argv[1]), int(sys.argv[2])
work = Path(tempfile.mkdtemp(prefix="ddbcdc-bench-lambda-"))
peer_dir = work / "peer"
started = subprocess.run([ROOT / "scripts/peers/s3-swift.sh", "start", peer_dir], capture_output=True, text=True)
if started.returncode != 0:
    sys.exit(f"the Swift S3 peer did not start:\n{started.stderr}")
try:
    env = lam.read_env(peer_dir / "env")
    peer = lam.Peer(env["S3_ENDPOINT"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_REGION"])
    bucket = peer.new_bucket("bench")
    rie = lam.fetch_rie()
    events_file = work / "events.jsonl"
    subprocess.run([sys.executable, ROOT / "scripts/gen_events.py", "--seed", "5", "--records", "200", "--batch-size", "200",
                    "--out", events_file], check=True)
    big = lam.event_lines(events_file)[0]
    one = ('{"Records":[{"eventID":"bench-1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",'
           '"dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"k"}},"NewImage":{"pk":{"S":"k"},'
           '"n":{"N":"1"}},"SequenceNumber":"100000000000000000001","SizeBytes":20,"StreamViewType":"NEW_AND_OLD_IMAGES"}}]}').encode()
    home = work / "home"
    home.mkdir()
    results = {}
    for name, event in [("empty batch", b'{"Records":[]}'), ("1 record", one), ("200 records", big)]:
        firsts, inits, warms = [], [], []
        for trial in range(trials):
            log = work / f"rie-{name[:3].strip()}-{trial}.log"
            em = lam.Emulator(rie, bootstrap, lam.lambda_env(home, peer.function_env(bucket, "bench")), log).start()
            try:
                first = em.invoke(event)
                warm = em.invoke(event)
                assert first.status == 200 and first.failures() == [], first.body
                assert warm.status == 200 and warm.failures() == [], warm.body
                time.sleep(0.05)
                found = re.findall(r"INIT REPORT\(durationMs: ([0-9.]+)\)", em.log_text())
                firsts.append(first.seconds * 1000)
                warms.append(warm.seconds * 1000)
                if found:
                    inits.append(float(found[0]))
            finally:
                em.stop()
        results[name] = (firsts, inits, warms)

    # The S3 peer's own time for one small PutObject (boto3, a warm connection): part of every
    # invocation that writes, and not ddbcdc's.
    client = peer.client()
    puts = []
    for i in range(trials + 1):
        t = time.monotonic()
        client.put_object(Bucket=bucket, Key=f"bench/put-{i}", Body=b"x" * 300)
        puts.append((time.monotonic() - t) * 1000)
    puts = puts[1:]

    boto = []
    for _ in range(trials):
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", "import boto3; boto3.client('s3', region_name='us-east-1')"], check=True)
        boto.append((time.monotonic() - t) * 1000)

    def fmt(values):
        return f"{statistics.median(values):7.1f} ms  (min {min(values):.1f}, max {max(values):.1f})" if values else "n/a"

    zip_path = bootstrap.parent / "ddbcdc-lambda-x86_64.zip"
    print(f"bootstrap: {bootstrap} ({bootstrap.stat().st_size / 1e6:.2f} MB)")
    if zip_path.exists():
        print(f"zip:       {zip_path} ({zip_path.stat().st_size / 1e6:.2f} MB, {zip_path.stat().st_size} bytes; goal <= 10 MB)")
    print(f"trials:    {trials} fresh emulators per event; medians, goal < 50 ms")
    for name, (firsts, inits, warms) in results.items():
        print(f"{name:>12}: process start -> first response {fmt(firsts)}")
        print(f"{'':>12}  runtime init (emulator INIT REPORT) {fmt(inits)}")
        print(f"{'':>12}  warm invocation                  {fmt(warms)}")
        print(f"{'':>12}  cold start adds (median first - median warm) {statistics.median(firsts) - statistics.median(warms):.1f} ms")
    print(f"S3 peer: one 300-byte PutObject from boto3 (warm connection): {fmt(puts)}")
    print(f"python: `import boto3` + an S3 client, new process: {fmt(boto)}")
finally:
    subprocess.run([ROOT / "scripts/peers/s3-swift.sh", "stop", peer_dir], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
EOF
