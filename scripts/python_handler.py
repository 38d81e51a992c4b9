#!/usr/bin/env python3
"""The design note's Python Lambda handler (Streams -> NDJSON.gz), run over a file, for benchmarks.

A faithful copy of `lambda_function.py` in the original design note: the same
normalize(), NDJsonBuffer and handler(), the same environment variables and defaults
(S3_PREFIX "ddb/your_table", MAX_RECORDS 2000, MAX_PAYLOAD_BYTES 8_000_000, MAX_SECONDS 15), the
same object keys, with only what it takes to run here:

  * FIX 1 (it crashes without it): boto3's TypeDeserializer expects raw bytes for B and BS, but
    Lambda stream events carry base64 text ("TypeError: Value must be of the following types:
    bytearray, bytes"); a subclass base64-decodes B values (BS uses the same method).
  * FIX 2 (it crashes without it): json.dumps cannot serialize Decimal (every N), Binary (B) or
    set (SS, NS, BS); a `default=` hook writes Decimal as a JSON number with its exact text
    (str(Decimal): 38 digits, 1E+5, -0 survive; never through float), Binary/bytes as base64,
    sets as sorted lists (str by code point, Decimal numerically, Binary by bytes). The stdlib
    encoder cannot emit raw number text from a hook, so the hook returns the text between two
    lone surrogates (written as the escape \\udb80 under the default ensure_ascii=True, which
    item data cannot produce) and a regex unwraps them.
  * No S3: PutObject becomes a write of the same body to --out-dir/<key> (a second write of a
    key replaces the first, as PutObject does), and no boto3 client is created.
  * The gzip level is an option (--gzip-level, default 6; the note's GzipFile default is 9).

Everything else is kept, defects included (docs/design.md lists them): partitions and object names
come from the flush time, in whole seconds, so two flushes in one second write the same key
(counted as key_collisions: S3 would keep only the last); `_ingestTs` is read per record;
`updated_at` falls back to milliseconds; OldImage is decoded and not used; no `is_deleted`; the
time flush is only checked when a record arrives; ApproximateCreationDateTime * 1000 in float.

Reads one Lambda event {"Records":[...]} per line from --input (plain or .gz), calls handler()
once per event, and prints a one-line JSON summary to standard error.

    python3 scripts/python_handler.py --input events.jsonl --out-dir /tmp/py-out [--gzip-level 6]
"""
import base64
import gzip
import io
import json
import os
import re
import sys
import time
from datetime import datetime, timezone
from decimal import Decimal

import boto3  # noqa: F401 (imported by the note's handler; its S3 client is not created here)
from boto3.dynamodb.types import Binary, TypeDeserializer

S3_BUCKET = os.environ.get("S3_BUCKET", "your-bucket")
S3_PREFIX = os.environ.get("S3_PREFIX", "ddb/your_table")

# Buffer thresholds
MAX_RECORDS = int(os.environ.get("MAX_RECORDS", "2000"))
MAX_PAYLOAD_BYTES = int(os.environ.get("MAX_PAYLOAD_BYTES", "8_000_000"))  # ~8MB before gzip
MAX_SECONDS = int(os.environ.get("MAX_SECONDS", "15"))

GZIP_LEVEL = 6
OUT_DIR = "out"
STATS = {"objects_put": 0, "key_collisions": 0, "rows": 0, "ndjson_bytes": 0, "put_bytes": 0}
_written_keys = set()


# --- FIX 1: Lambda events carry B/BS as base64 text ----------------------------------------
class LambdaTypeDeserializer(TypeDeserializer):
    def _deserialize_b(self, value):
        return Binary(base64.b64decode(value))  # the base class: Binary(value) -> TypeError on str


deser = LambdaTypeDeserializer()


# --- FIX 2: json.dumps default= hook ---------------------------------------------------------
_MARK = "\udb80"
_MARKED_NUMBER = re.compile(r'"\\udb80([-+.0-9E]+)\\udb80"')


def _json_default(o):
    if isinstance(o, Decimal):
        return _MARK + str(o) + _MARK  # exact: str(Decimal) is the number's text
    if isinstance(o, Binary):
        return base64.b64encode(o.value).decode("ascii")
    if isinstance(o, (bytes, bytearray)):
        return base64.b64encode(o).decode("ascii")
    if isinstance(o, (set, frozenset)):
        if o and isinstance(next(iter(o)), Binary):
            return sorted(o, key=lambda b: b.value)
        return sorted(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _dumps(obj):
    s = json.dumps(obj, separators=(",", ":"), default=_json_default)
    if "\\udb80" in s:
        s = _MARKED_NUMBER.sub(r"\1", s)
    return s


# --- No S3: the object goes to a file ----------------------------------------------------------
def put_object(Bucket, Key, Body):  # noqa: N803 (boto3's parameter names)
    """Stands in for s3.put_object(Bucket=..., Key=..., Body=...)."""
    STATS["objects_put"] += 1
    STATS["put_bytes"] += len(Body)
    if Key in _written_keys:
        STATS["key_collisions"] += 1  # S3 would replace the earlier object, as this does
    _written_keys.add(Key)
    path = os.path.join(OUT_DIR, Key.lstrip("/"))  # an empty S3_PREFIX gives "/dt=..."
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(Body)


# --- the design note's handler -------------------------------------------------------------
def ddb_to_python(image: dict) -> dict:
    # Convert DDB JSON to native Python
    return {k: deser.deserialize(v) for k, v in (image or {}).items()}


def normalize(rec: dict) -> dict:
    """
    Minimal normalization:
    - Ensure we keep pk / sk (or id) and updated_at
    - Add metadata: _eventName, _approxStreamTs, _ingestTs
    """
    event_name = rec.get("eventName")
    ddb = rec.get("dynamodb", {})
    new_img = ddb_to_python(ddb.get("NewImage"))
    old_img = ddb_to_python(ddb.get("OldImage"))  # noqa: F841 (unused, as in the note)
    keys = ddb_to_python(ddb.get("Keys"))

    approx_ts = ddb.get("ApproximateCreationDateTime")
    approx_ms = int(approx_ts * 1000) if isinstance(approx_ts, (int, float)) else None

    out = new_img if event_name in ("INSERT", "MODIFY") else keys
    out = out or {}

    out["_eventName"] = event_name
    out["_approxStreamTs"] = approx_ms
    out["_ingestTs"] = int(time.time() * 1000)
    # If you have a canonical updated_at, ensure it exists (fallback to ApproximateCreationDateTime):
    if "updated_at" not in out and approx_ms is not None:
        out["updated_at"] = approx_ms

    return out


class NDJsonBuffer:
    def __init__(self):
        self.buf = io.BytesIO()
        self.count = 0
        self.uncompressed_size = 0
        self.start_time = time.time()

    def add(self, obj: dict):
        line = (_dumps(obj) + "\n").encode("utf-8")  # FIX 2: json.dumps(obj, separators=(",", ":"), default=...)
        self.buf.write(line)
        self.count += 1
        self.uncompressed_size += len(line)

    def should_flush(self) -> bool:
        if self.count == 0:
            return False
        if self.count >= MAX_RECORDS:
            return True
        if self.uncompressed_size >= MAX_PAYLOAD_BYTES:
            return True
        if (time.time() - self.start_time) >= MAX_SECONDS:
            return True
        return False

    def flush_to_s3(self):
        if self.count == 0:
            return

        # Partition path by UTC date/hour
        now = datetime.now(timezone.utc)
        dt = now.strftime("%Y-%m-%d")
        hh = now.strftime("%H")

        # Compose a deterministic-ish name (ts + random suffix) to avoid collisions
        fname = f"dt={dt}/HH={hh}/batch_{int(now.timestamp())}_{self.count}.ndjson.gz"
        key = f"{S3_PREFIX}/{fname}"

        # Gzip the buffer
        gz_buf = io.BytesIO()
        with gzip.GzipFile(fileobj=gz_buf, mode="wb", compresslevel=GZIP_LEVEL) as gz:
            gz.write(self.buf.getvalue())

        gz_buf.seek(0)
        STATS["rows"] += self.count
        STATS["ndjson_bytes"] += self.uncompressed_size
        put_object(Bucket=S3_BUCKET, Key=key, Body=gz_buf.getvalue())

        # Reset buffer
        self.buf = io.BytesIO()
        self.count = 0
        self.uncompressed_size = 0
        self.start_time = time.time()


def handler(event, context):
    buf = NDJsonBuffer()

    # Records arrive grouped by stream shard
    for r in event.get("Records", []):
        if r.get("eventSource") != "aws:dynamodb":
            continue
        obj = normalize(r)
        buf.add(obj)
        if buf.should_flush():
            buf.flush_to_s3()

    # Final flush
    buf.flush_to_s3()

    return {"status": "ok"}


# --- the file runner ------------------------------------------------------------------------
def main(argv=None):
    import argparse

    global OUT_DIR, GZIP_LEVEL, S3_PREFIX
    ap = argparse.ArgumentParser(description="Run the design note's Python Lambda handler over a file of Lambda events, one per line.")
    ap.add_argument("--input", required=True, help="one Lambda event {\"Records\":[...]} per line (plain or .gz)")
    ap.add_argument("--out-dir", required=True, help="the directory that stands in for the bucket")
    ap.add_argument("--gzip-level", type=int, default=6, choices=range(0, 10), metavar="0-9",
                    help="gzip.GzipFile compresslevel (default 6; the note's default is 9)")
    ap.add_argument("--prefix", default=S3_PREFIX, help=f"key prefix (S3_PREFIX; default {S3_PREFIX})")
    a = ap.parse_args(argv)
    OUT_DIR, GZIP_LEVEL, S3_PREFIX = a.out_dir, a.gzip_level, a.prefix

    started = time.perf_counter()
    events = records = input_bytes = 0
    opener = gzip.open if a.input.endswith(".gz") else open
    with opener(a.input, "rb") as src:
        for line in src:
            input_bytes += len(line)
            if not line.strip():
                continue
            event = json.loads(line)
            events += 1
            records += len(event.get("Records", []))
            handler(event, None)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "records": records, "events": events, "input_bytes": input_bytes, "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds) if seconds else None, **STATS,
        "objects_on_disk": len(_written_keys), "gzip_level": GZIP_LEVEL,
    }), file=sys.stderr)


if __name__ == "__main__":
    main()
