#!/usr/bin/env python3
"""Reference Python transform for the benchmark: Lambda DynamoDB Streams events -> NDJSON rows.

This is the approach of the original design note (its Lambda handler without the buffering,
gzip and S3 parts), with the two fixes it needs to run at all, so that `ddbcdc transform` can be
timed against what a Python user would write:

  * json.loads of each event (one Lambda event per input line);
  * boto3's TypeDeserializer over the images -- subclassed, because stream events carry B and BS
    values as base64 *text* while boto3 expects raw bytes (the unmodified class raises TypeError);
  * the row: NewImage for INSERT / MODIFY, Keys for REMOVE, plus the metadata columns ddbcdc
    writes (_eventName, _eventId, _seq, _approxStreamTs, _ingestTs, is_deleted, _ttlDelete);
    OldImage is deserialized too, as the design note's handler does, though the row does not use it;
  * json.dumps with a default= hook: Decimal -> a JSON number with its exact text (no float),
    bytes -> base64, sets -> sorted lists (strings by code point, numbers numerically, binaries
    by bytes).

Standard library plus boto3.

    python3 scripts/python_transform.py --input events.jsonl --out rows.ndjson [--ingest-ts MS]
"""
import argparse
import base64
import json
import re
import sys
import time
from decimal import Decimal

from boto3.dynamodb.types import Binary, TypeDeserializer


class StreamTypeDeserializer(TypeDeserializer):
    """boto3's deserializer for stream events, whose B and BS values are base64 text."""

    def _deserialize_b(self, value):
        return Binary(base64.b64decode(value))


DESERIALIZER = StreamTypeDeserializer()

# The stdlib encoder cannot write raw number text from a default= hook, so the hook returns the
# text between two lone surrogates and a regex unwraps it afterwards. Item data is valid UTF-8 and
# cannot hold a lone surrogate, and with ensure_ascii=True a marker can only appear as the escape
# `\udfff` right after an opening quote (a literal backslash in data is written as `\\`).
_MARK = "\udfff"
_MARKED = re.compile(r'"\\udfff([-+.0-9eE]+)\\udfff"')


def _default(obj):
    if isinstance(obj, Decimal):
        return _MARK + str(obj) + _MARK  # str(Decimal) keeps the input text (1E+5, 0.000, -0)
    if isinstance(obj, Binary):
        return base64.b64encode(obj.value).decode("ascii")
    if isinstance(obj, (bytes, bytearray)):
        return base64.b64encode(obj).decode("ascii")
    if isinstance(obj, (set, frozenset)):
        members = list(obj)
        if members and isinstance(members[0], Binary):
            return sorted(members, key=lambda b: b.value)
        return sorted(members)  # str by code point, Decimal numerically
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def dumps_row(row):
    text = json.dumps(row, separators=(",", ":"), default=_default)
    if "\\udfff" in text:
        text = _MARKED.sub(r"\1", text)
    return text


def deserialize_image(image):
    return {name: DESERIALIZER.deserialize(value) for name, value in image.items()}


def transform_event(event, ingest_ms, lines):
    """Appends one row line per record of a Lambda event to `lines`."""
    for record in event["Records"]:
        ddb = record["dynamodb"]
        event_name = record["eventName"]
        keys = deserialize_image(ddb.get("Keys", {}))
        new = deserialize_image(ddb["NewImage"]) if "NewImage" in ddb else None
        old = deserialize_image(ddb["OldImage"]) if "OldImage" in ddb else None  # noqa: F841 (as in the design note)
        row = new if event_name in ("INSERT", "MODIFY") else keys
        # parse_float=Decimal: 1767225600.123 s is exactly 1767225600123 ms.
        approx_ms = int(Decimal(ddb["ApproximateCreationDateTime"]) * 1000)
        identity = record.get("userIdentity") or {}
        row["_eventName"] = event_name
        row["_eventId"] = record["eventID"]
        row["_seq"] = f"{approx_ms:013d}-{int(ddb['SequenceNumber']):040d}"
        row["_approxStreamTs"] = approx_ms
        row["_ingestTs"] = ingest_ms if ingest_ms is not None else int(time.time() * 1000)
        row["is_deleted"] = event_name == "REMOVE"
        row["_ttlDelete"] = (event_name == "REMOVE" and identity.get("type") == "Service"
                             and identity.get("principalId") == "dynamodb.amazonaws.com")
        lines.append(dumps_row(row))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Reference Python transform: Lambda DynamoDB Streams events to NDJSON rows.")
    ap.add_argument("--input", required=True, help="file with one Lambda event {\"Records\":[...]} per line")
    ap.add_argument("--out", default="/dev/null", help="output NDJSON file (default /dev/null)")
    ap.add_argument("--ingest-ts", type=int, default=None, help="fixed _ingestTs in epoch ms (default: the clock)")
    a = ap.parse_args(argv)

    started = time.perf_counter()
    records = 0
    bytes_in = 0
    with open(a.input, "rb") as src, open(a.out, "w", encoding="utf-8") as dst:
        for line in src:
            bytes_in += len(line)
            if not line.strip():
                continue
            lines = []
            transform_event(json.loads(line, parse_float=Decimal), a.ingest_ts, lines)
            records += len(lines)
            if lines:
                dst.write("\n".join(lines))
                dst.write("\n")
    seconds = time.perf_counter() - started
    print(json.dumps({"records": records, "input_bytes": bytes_in, "seconds": round(seconds, 3),
                      "records_per_s": round(records / seconds) if seconds else None,
                      "input_MB_per_s": round(bytes_in / seconds / 1e6, 2) if seconds else None}), file=sys.stderr)


if __name__ == "__main__":
    main()
