#!/usr/bin/env python3
"""Reference Python backfill for the benchmark: a DynamoDB export (full, DYNAMODB_JSON) on disk ->
partitioned gzip NDJSON objects in a directory, done the way the original design note advises
("dump the table": read the export with Python's json and boto3's TypeDeserializer), so that
`ddbcdc backfill` can be timed against it on the same export.

What it does, per data file in manifest-files.json order:
  * reads the .json.gz bytes and checks their MD5 against the manifest's md5Checksum (ddbcdc
    does too; hashlib's MD5 is C, so this costs Python little);
  * gzip-decompresses and splits lines; json.loads each; boto3's TypeDeserializer over the Item
    (subclassed: export files carry B and BS as base64 text, boto3 expects raw bytes);
  * the row ddbcdc writes: the item, `_eventName` INSERT, `_eventId` <ExportId>/<file>/<line>,
    `_seq` (floor_to_second(exportTime − overlap) − 1 ms, 40 zeros), `is_deleted` false;
    json.dumps through scripts/python_transform.py's encoder (exact Decimal text, base64 bytes,
    sorted sets);
  * batches of --max-records rows (one partition: a full export's rows all have one time), each
    gzip'd (level 6) into <sink>/dt=YYYY-MM-dd/HH=HH/<file>-<n>.ndjson.gz.

Single-threaded, standard library plus boto3. Prints a JSON summary on standard error.

    python3 scripts/python_backfill.py --export DIR/AWSDynamoDB/<ExportId> --sink OUT [--overlap-seconds 300]
"""
import argparse
import base64
import gzip
import hashlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from boto3.dynamodb.types import Binary, TypeDeserializer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from python_transform import dumps_row  # noqa: E402  (exact numbers, base64, sorted sets)


class ExportTypeDeserializer(TypeDeserializer):
    """boto3's deserializer for export files, whose B and BS values are base64 text."""

    def _deserialize_b(self, value):
        return Binary(base64.b64decode(value))


DESERIALIZER = ExportTypeDeserializer()


def millis(iso_text):
    return int(datetime.strptime(iso_text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000 + 0.5)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Reference Python backfill: a DynamoDB export to gzip NDJSON objects.")
    ap.add_argument("--export", required=True, help="the export folder (holds manifest-summary.json)")
    ap.add_argument("--sink", required=True, help="output directory")
    ap.add_argument("--overlap-seconds", type=int, default=300)
    ap.add_argument("--max-records", type=int, default=2000)
    ap.add_argument("--gzip-level", type=int, default=6)
    a = ap.parse_args(argv)

    started = time.perf_counter()
    export = Path(a.export)
    summary = json.loads((export / "manifest-summary.json").read_text(encoding="utf-8"))
    if summary.get("outputFormat") != "DYNAMODB_JSON" or summary.get("exportType", "FULL_EXPORT") != "FULL_EXPORT":
        sys.exit(f"{export}: only full DYNAMODB_JSON exports ({summary.get('outputFormat')}, {summary.get('exportType')})")
    export_id = export.name
    t = (millis(summary["exportTime"]) - a.overlap_seconds * 1000) // 1000 * 1000 - 1
    seq = f"{t:013d}-{'0' * 40}"
    when = datetime.fromtimestamp(t / 1000, tz=timezone.utc)
    folder = Path(a.sink) / f"dt={when:%Y-%m-%d}" / f"HH={when:%H}"
    folder.mkdir(parents=True, exist_ok=True)
    items = objects = compressed_in = uncompressed_in = bytes_out = 0
    for entry_line in (export / "manifest-files.json").read_text(encoding="utf-8").split("\n"):
        if not entry_line.strip():
            continue
        entry = json.loads(entry_line)
        name = entry["dataFileS3Key"].rsplit("/", 1)[1]
        data = (export / "data" / name).read_bytes()
        if base64.b64encode(hashlib.md5(data).digest()).decode("ascii") != entry["md5Checksum"]:
            sys.exit(f"{name}: MD5 does not match the manifest")
        compressed_in += len(data)
        text = gzip.decompress(data)
        uncompressed_in += len(text)
        batch, count, part = [], 0, 0
        for number, line in enumerate(text.split(b"\n"), 1):
            if not line:
                continue
            item = json.loads(line)["Item"]
            row = {k: DESERIALIZER.deserialize(v) for k, v in item.items()}
            row["_eventName"] = "INSERT"
            row["_eventId"] = f"{export_id}/{name}/{number}"
            row["_seq"] = seq
            row["is_deleted"] = False
            batch.append(dumps_row(row))
            count += 1
            if len(batch) == a.max_records:
                bytes_out += write(folder / f"{name}-{part}.ndjson.gz", batch, a.gzip_level)
                batch, part, objects = [], part + 1, objects + 1
        if batch:
            bytes_out += write(folder / f"{name}-{part}.ndjson.gz", batch, a.gzip_level)
            objects += 1
        if count != entry["itemCount"]:
            sys.exit(f"{name}: {count} lines, the manifest says {entry['itemCount']}")
        items += count
    seconds = time.perf_counter() - started
    print(json.dumps({"items": items, "objects": objects, "compressed_bytes_in": compressed_in,
                      "uncompressed_bytes_in": uncompressed_in, "bytes_out": bytes_out, "seconds": round(seconds, 3),
                      "items_per_s": round(items / seconds) if seconds else None}), file=sys.stderr)


def write(path, lines, level):
    data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=level, mtime=0)
    path.write_bytes(data)
    return len(data)


if __name__ == "__main__":
    main()
