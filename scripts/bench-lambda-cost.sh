#!/usr/bin/env bash
# Billed duration and cost per million changes of the packaged function against the design note's
# Python handler, warm, under the Lambda Runtime Interface Emulator, at batch sizes 100, 1,000 and
# 10,000 records per event.
#
#   scripts/bench-lambda-cost.sh                          # packages first (scripts/package-lambda.sh)
#   SKIP_PACKAGE=1 INVOCATIONS=11 scripts/bench-lambda-cost.sh
#   SKIP_PACKAGE=1 CONFIGS="1000 10000:10000" scripts/bench-lambda-cost.sh   # SIZE[:MAX_RECORDS]
#
# What runs (as scripts/bench-lambda.sh does): aws-lambda-rie on 127.0.0.1 free ports with
# build/lambda/bootstrap, and a second aws-lambda-rie running the note's handler
# (scripts/python_lambda.py: python_handler.py's handler with its PutObject to S3 through boto3)
# under the Python runtime interface client (`python -m awslambdaric`, from PyPI, in .venv); both
# write to the strict S3 peer (scripts/peers/s3-swift.sh), each configuration under a prefix of
# its own. Both get AWS_LAMBDA_FUNCTION_MEMORY_SIZE (MEMORY_MB, 512), GZIP_LEVEL 6 and the same
# flush thresholds (MAX_RECORDS 2000 unless the configuration says, MAX_PAYLOAD_BYTES 8000000).
#
# Per configuration: events from gen_events.py (--seed SEED, the same events for both), both
# emulators started fresh, one warm-up invocation each (its cold start not counted), then
# INVOCATIONS invocations each, interleaved (ddbcdc, Python, Python, ddbcdc, ...). For each, the
# emulator's REPORT line gives Duration and Billed Duration (whole ms, rounded up, as Lambda bills
# since December 2020); the function's own line gives the objects it wrote (ddbcdc: the EMF line's
# Objects; Python: python_lambda.py's count of PutObject calls). Every answer is checked
# (ddbcdc: no batchItemFailures and every record a row; Python: {"status": "ok"}).
#
# Cost per million changes = invocations (1,000,000 / records per event) x (billed s x MEMORY_MB /
# 1024 GB x the GB-s price + the request price); S3: PutObjects per million changes x the PUT
# price. Prices (override by the environment): AWS's public list prices for US East (N. Virginia),
# x86, written here on 2026-11-30 from AWS's pricing pages (aws.amazon.com/lambda/pricing,
# aws.amazon.com/s3/pricing; Lambda's have not changed since its 1 ms billing, December 2020):
# $0.0000166667 per GB-s (the first 6 billion GB-s a month), $0.20 per million requests, S3
# Standard $0.005 per 1,000 PUT requests. Check them before relying on the cost columns. Free
# tiers are left out.
#
# What the emulator does not do: it does not hold the function to the CPU share Lambda gives its
# memory (a full vCPU at 1,769 MB: 512 MB is about 0.29 of one), so both functions run with a whole
# core. CPU_SHARE=1 does it here: each emulator (with the runtime it starts) runs in a cgroup of
# its own whose CPU quota is MEMORY_MB / 1,769 of one core in every 10 ms (cgroup v1's cpu
# controller or cgroup v2, as root; the script stops if it cannot). Its S3 is local (no network
# round trip). The objects' mean size is the gzip objects in the bucket (the Python's survivors).
#
# Items: an invocation's event is at most 6 MB (Lambda's payload limit: an event source mapping
# ends a batch there, and the emulator cuts a larger body short, which the function would see as a
# damaged event). gen_events.py's records (every DynamoDB type and its hard cases) are about
# 1.2 KB, so at most about 5,000 of them fit one event (ITEMS=full). ITEMS=small (the default, so
# that the three batch sizes compare on one workload) keeps of each record its keys and, in the order the images hold them, the attributes that keep it within
# 580 bytes (the same attributes in NewImage and OldImage; keys and envelope alone may take more):
# 10,000 records in under 6 MB. A
# configuration whose events exceed 6 MB is refused before anything runs.
#
# Environment: INVOCATIONS (11), CONFIGS ("100 1000 10000"), ITEMS (small or full; small), MEMORY_MB (512),
#              SEED (5), CPU_SHARE=1,
#              SKIP_PACKAGE=1, DDBCDC_BOOTSTRAP, PYTHON (.venv/bin/python),
#              PRICE_GB_S, PRICE_REQUEST, PRICE_PUT (dollars per GB-s, request, PUT).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || { echo "no $PYTHON: run scripts/setup.sh" >&2; exit 1; }
"$PYTHON" -c 'import awslambdaric, boto3' 2>/dev/null || { echo "$PYTHON lacks awslambdaric or boto3: run scripts/setup.sh" >&2; exit 1; }

if [[ ${SKIP_PACKAGE:-0} != 1 ]]; then
    scripts/package-lambda.sh >&2
fi
BOOTSTRAP=${DDBCDC_BOOTSTRAP:-$ROOT/build/lambda/bootstrap}
[[ -x $BOOTSTRAP ]] || { echo "no bootstrap at $BOOTSTRAP: run scripts/package-lambda.sh" >&2; exit 1; }

exec "$PYTHON" - "$BOOTSTRAP" <<'EOF'
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT / "Tests" / "lambda"))
import conftest as lam  # the Emulator, the RIE fetch, the Swift peer's env file

bootstrap = Path(sys.argv[1])
invocations = int(os.environ.get("INVOCATIONS", "11"))
configs = os.environ.get("CONFIGS", "100 1000 10000").split()
memory_mb = int(os.environ.get("MEMORY_MB", "512"))
seed = int(os.environ.get("SEED", "5"))
price_gb_s = float(os.environ.get("PRICE_GB_S", "0.0000166667"))
price_request = float(os.environ.get("PRICE_REQUEST", str(0.20 / 1e6)))
price_put = float(os.environ.get("PRICE_PUT", str(0.005 / 1000)))
PAYLOAD_LIMIT = 6 * 1024 * 1024
items = os.environ.get("ITEMS", "small")
if items not in ("full", "small"):
    sys.exit(f"ITEMS={items}: full or small")
SMALL_RECORD_BYTES = 580


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def small_items(line):
    """The event with each record cut to its keys and the attributes (in image order) that keep it
    within SMALL_RECORD_BYTES; both images keep the same attribute names."""
    event = json.loads(line)
    for record in event["Records"]:
        ddb = record["dynamodb"]
        images = {name: ddb[name] for name in ("NewImage", "OldImage") if name in ddb}
        for name, image in images.items():
            ddb[name] = {k: v for k, v in image.items() if k in ddb["Keys"]}
        names = list(dict.fromkeys(k for image in images.values() for k in image if k not in ddb["Keys"]))
        for attribute in names:
            before = {name: dict(ddb[name]) for name in images}
            for name, image in images.items():
                if attribute in image:
                    ddb[name][attribute] = image[attribute]
            if len(compact(record).encode()) > SMALL_RECORD_BYTES:
                ddb.update(before)
    return compact(event).encode()


REPORT = re.compile(r"REPORT RequestId: (\S+)\s+(?:Init Duration: [0-9.]+ ms\s+)?Duration: ([0-9.]+) ms\s+"
                    r"Billed Duration: ([0-9]+) ms\s+Memory Size: ([0-9]+) MB")


def load():
    return os.getloadavg()[0]


class CPUShare:
    """A cgroup whose CPU quota is Lambda's share for the memory size (one vCPU at 1,769 MB), and a
    wrapper that starts the emulator inside it (the runtime it starts inherits the cgroup)."""

    def __init__(self, name):
        v1, v2 = Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")
        # A 10 ms period: with the usual 100 ms, a short invocation (under 29 ms of CPU) would run
        # unthrottled on the quota of the idle period before it, and not show the share at all.
        period = 10_000
        quota = max(1000, period * memory_mb // 1769)
        if (v1 / "cpu.cfs_quota_us").exists():
            self.path = v1 / name
            self.path.mkdir()
            (self.path / "cpu.cfs_period_us").write_text(str(period))
            (self.path / "cpu.cfs_quota_us").write_text(str(quota))
        elif (v2 / "cgroup.controllers").exists() and "cpu" in (v2 / "cgroup.controllers").read_text().split():
            self.path = v2 / name
            self.path.mkdir()
            (self.path / "cpu.max").write_text(f"{quota} {period}")
        else:
            sys.exit("CPU_SHARE=1: no writable cgroup cpu controller (cgroup v1 /sys/fs/cgroup/cpu or v2 with cpu)")
        self.share = quota / period

    def wrap(self, binary, directory):
        wrapper = directory / f"in-cgroup-{binary.name}"
        wrapper.write_text(f"#!/bin/sh\necho $$ > '{self.path}/cgroup.procs' || exit 70\nexec '{binary}' \"$@\"\n")
        wrapper.chmod(0o755)
        return wrapper

    def remove(self):
        for _ in range(50):
            try:
                self.path.rmdir()  # once the emulators have exited
                return
            except OSError:
                time.sleep(0.1)


class Function:
    """One emulator and what its log says about each invocation."""

    def __init__(self, name, em):
        self.name, self.em, self.offset = name, em, 0

    def invoke(self, event, records):
        response = self.em.invoke(event)
        if response.status != 200:
            sys.exit(f"{self.name}: the invocation answered {response.status}: {response.body[:500]!r}")
        if self.name == "ddbcdc" and response.failures() != []:
            sys.exit(f"ddbcdc: batchItemFailures {response.body[:500]!r}")
        if self.name == "python" and response.json != {"status": "ok"}:
            sys.exit(f"python: answered {response.body[:500]!r}")
        deadline = time.monotonic() + 10
        while True:  # the REPORT line follows the answer
            text = self.em.log_text()[self.offset:]
            found = REPORT.search(text)
            if found:
                break
            if time.monotonic() > deadline:
                sys.exit(f"{self.name}: no REPORT line after an invocation:\n{text[-2000:]}")
            time.sleep(0.01)
        part = text[: found.end()]
        self.offset += found.end()
        duration, billed, memory = float(found.group(2)), int(found.group(3)), int(found.group(4))
        if memory != memory_mb:
            sys.exit(f"{self.name}: the emulator reports Memory Size {memory} MB, not {memory_mb}")
        if self.name == "ddbcdc":
            emf = [json.loads(line) for line in part.splitlines() if line.startswith('{"_aws"')]
            if len(emf) != 1 or emf[0]["Rows"] != records or emf[0]["Records"] != records:
                sys.exit(f"ddbcdc: expected one metrics line with {records} rows, got {emf}")
            objects = emf[0]["Objects"]
        else:
            lines = [json.loads(line.split(" ", 1)[1]) for line in part.splitlines() if line.startswith("python_lambda ")]
            if len(lines) != 1 or lines[0]["records"] != records:
                sys.exit(f"python: expected one python_lambda line for {records} records, got {lines}")
            objects = lines[0]["puts"]
        return {"duration": duration, "billed": billed, "objects": objects}


work = Path(tempfile.mkdtemp(prefix="ddbcdc-bench-lambda-cost-"))
peer_dir = work / "peer"
started = subprocess.run([ROOT / "scripts/peers/s3-swift.sh", "start", peer_dir], capture_output=True, text=True)
if started.returncode != 0:
    sys.exit(f"the Swift S3 peer did not start:\n{started.stderr}")
load_before = os.getloadavg()
try:
    env = lam.read_env(peer_dir / "env")
    peer = lam.Peer(env["S3_ENDPOINT"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_REGION"])
    bucket = peer.new_bucket("cost")
    rie = lam.fetch_rie()
    cpu_share = CPUShare(f"ddbcdc-bench-{os.getpid()}") if os.environ.get("CPU_SHARE") == "1" else None
    if cpu_share:
        rie = cpu_share.wrap(Path(rie), work)
    home = work / "home"
    home.mkdir()
    # The Python function's bootstrap: the runtime interface client with the note's handler.
    python_fn = work / "python-function" / "bootstrap"
    python_fn.parent.mkdir()
    python_fn.write_text(f"#!/bin/sh\nexec env PYTHONPATH='{ROOT / 'scripts'}' '{sys.executable}' -m awslambdaric python_lambda.handler\n")
    python_fn.chmod(0o755)

    results = []
    for config in configs:
        size, _, max_records = config.partition(":")
        size, max_records = int(size), int(max_records or 2000)
        events_file = work / f"events-{size}.jsonl"
        subprocess.run([sys.executable, ROOT / "scripts/gen_events.py", "--seed", str(seed), "--records",
                        str(size * (invocations + 1)), "--batch-size", str(size), "--out", events_file], check=True)
        events = lam.event_lines(events_file)
        assert len(events) == invocations + 1, len(events)
        if items == "small":
            events = [small_items(line) for line in events]
        if max(len(e) for e in events) > PAYLOAD_LIMIT:
            sys.exit(f"{size} records per event: events of up to {max(len(e) for e in events) / 1e6:.1f} MB, above Lambda's 6 MB "
                     "invocation payload (the emulator would cut them short): use fewer records or ITEMS=small")
        functions = []
        for name, binary in (("ddbcdc", bootstrap), ("python", python_fn)):
            prefix = f"{name}-{size}-{max_records}"
            settings = peer.function_env(bucket, prefix, GZIP_LEVEL=6, MAX_RECORDS=max_records, MAX_PAYLOAD_BYTES=8000000,
                                         AWS_LAMBDA_FUNCTION_MEMORY_SIZE=memory_mb, AWS_LAMBDA_FUNCTION_TIMEOUT=900)
            em = lam.Emulator(rie, binary, lam.lambda_env(home, settings), work / f"rie-{prefix}.log").start()
            functions.append((Function(name, em), prefix))
        try:
            measured = {name: [] for name in ("ddbcdc", "python")}
            warm_up = {}
            for fn, _ in functions:
                warm_up[fn.name] = fn.invoke(events[0], size)  # its cold start is not what is measured
            for index, event in enumerate(events[1:]):
                order = functions if index % 2 == 0 else functions[::-1]
                for fn, _ in order:
                    measured[fn.name].append(fn.invoke(event, size))
        finally:
            for fn, _ in functions:
                fn.em.stop()
        event_mb = statistics.median(len(e) for e in events) / 1e6
        for fn, prefix in functions:
            pages = peer.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
            sizes = [o["Size"] for page in pages for o in page.get("Contents", [])]
            kept = len(sizes)
            written = warm_up[fn.name]["objects"] + sum(r["objects"] for r in measured[fn.name])
            results.append({"function": fn.name, "size": size, "max_records": max_records, "event_mb": event_mb,
                            "runs": measured[fn.name], "kept": kept, "written": written,
                            "object_kb": statistics.mean(sizes) / 1000 if sizes else 0})
        print(f"== {size} records per event (MAX_RECORDS {max_records}) done, load {load():.2f}", file=sys.stderr, flush=True)

    def fmt_money(x):
        return f"${x:.4g}"

    print(f"# bench-lambda-cost.sh: {invocations} warm invocations per function and batch size, interleaved; "
          f"memory {memory_mb} MB; seed {seed}; items: {items}; CPU: "
          + (f"held to {cpu_share.share:.3f} of a core (CPU_SHARE=1)" if cpu_share else "not limited (the emulator's own)"))
    print(f"# prices: ${price_gb_s:.10f} per GB-s, ${price_request * 1e6:.2f} per million requests, ${price_put * 1000:.3f} per 1,000 PUTs "
          f"(us-east-1, x86, list prices; free tiers left out)")
    print(f"# load average (1 min) before {load_before[0]:.2f}, after {load():.2f}; bootstrap {bootstrap}")
    print()
    print("| function | records/event | event MB | Duration ms median | billed ms median (min-max) | GB-s per event | "
          "invocations per M changes | Lambda $ per M changes | PutObjects per M changes | S3 PUT $ per M changes | object KB (mean) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    by_key = {}
    for r in results:
        billed = [x["billed"] for x in r["runs"]]
        median_billed = statistics.median(billed)
        gb_s = median_billed / 1000 * memory_mb / 1024
        per_million = 1e6 / r["size"]
        lambda_cost = per_million * (gb_s * price_gb_s + price_request)
        objects_per_event = statistics.mean(x["objects"] for x in r["runs"])
        puts_per_million = objects_per_event * per_million
        by_key[(r["function"], r["size"], r["max_records"])] = (median_billed, lambda_cost)
        name = "ddbcdc" if r["function"] == "ddbcdc" else "note's Python"
        limit = "" if r["max_records"] == 2000 else f", MAX_RECORDS {r['max_records']}"
        print(f"| {name}{limit} | {r['size']:,} | {r['event_mb']:.2f} | {statistics.median(x['duration'] for x in r['runs']):.1f} | "
              f"{median_billed:,.0f} ({min(billed):,}-{max(billed):,}) | {gb_s:.4f} | {per_million:,.0f} | {fmt_money(lambda_cost)} | "
              f"{puts_per_million:,.0f} | {fmt_money(puts_per_million * price_put)} | {r['object_kb']:,.1f} |")
    print()
    for (function, size, max_records), (billed, cost) in by_key.items():
        if function == "ddbcdc" and ("python", size, max_records) in by_key:
            py_billed, py_cost = by_key[("python", size, max_records)]
            print(f"{size:>6,} records/event (MAX_RECORDS {max_records}): the note's Python bills {py_billed / billed:.1f}x "
                  f"ddbcdc's duration; Lambda cost per million changes {fmt_money(cost)} vs {fmt_money(py_cost)}")
    for r in results:
        limit = "" if r["max_records"] == 2000 else f" (MAX_RECORDS {r['max_records']})"
        print(f"{r['function']}, {r['size']:,} records/event{limit}: {r['kept']} objects in the bucket after {r['written']} PutObjects"
              + ("" if r["kept"] == r["written"] else " (the note's keys collide within a second: a later PutObject replaced an earlier one)"))
finally:
    subprocess.run([ROOT / "scripts/peers/s3-swift.sh", "stop", peer_dir], capture_output=True)
    if "cpu_share" in globals() and cpu_share:
        cpu_share.remove()
    shutil.rmtree(work, ignore_errors=True)
EOF
