"""S3 reads through the binary: `ddbcdc backfill --export s3://BUCKET/exp/AWSDynamoDB/<ExportId>/`
from the strict Swift S3 peer lands the same objects, byte for byte, as `ddbcdc backfill --export
DIR` over the same export on disk -- directly, and through the fault proxy cutting a data file's
GET answer in the middle of its body.

The export is generated here in AWS's documented layout (manifest-summary.json, manifest-files.json
as JSON lines with real MD5s and ETags, data/*.json.gz): a small data file, an empty partition's
file (gzip of nothing, itemCount 0) and one of more than 9 MiB of gzip, which S3Client.download
reads in several 8 MiB ranges.

    DDBCDC_BIN=$PWD/.build/debug/ddbcdc .venv/bin/python -m pytest Tests/s3/test_s3_reads.py -q
"""
import base64
import gzip
import hashlib
import json
import random
import re
import uuid
from pathlib import Path

import pytest

from conftest import REGION, fail

EXPORT_ID = "01234567890123-abcdefgh"
S3_PREFIX = "exp"
EXPORT_FOLDER = f"{S3_PREFIX}/AWSDynamoDB/{EXPORT_ID}"
BIG = "big0001bbbbbbbbbbbbbbbbbbbb.json.gz"
MIB = 1 << 20


# -- a small export, as DynamoDB's ExportTableToPointInTime writes it ---------------------------

def _data_file(rng, items, payload_bytes, first_id):
    """Gzip of `items` DYNAMODB_JSON lines, each with `payload_bytes` of random bytes as base64
    (incompressible enough that the gzip stays large), and the uncompressed line count."""
    lines = []
    for n in range(first_id, first_id + items):
        item = {"pk": {"S": f"user#{n:05d}"}, "sk": {"N": str(n % 7)}, "name": {"S": f"Zoë & 渡辺 {n}"},
                "tags": {"SS": ["a", f"t{n % 3}"]}}
        if payload_bytes:
            item["blob"] = {"S": base64.b64encode(rng.randbytes(payload_bytes)).decode()}
        lines.append(json.dumps({"Item": item}, ensure_ascii=False, separators=(",", ":")))
    text = "".join(line + "\n" for line in lines)
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


def make_export(root, bucket):
    """Writes the export under root/<EXPORT_FOLDER>/ and returns {key under the bucket: bytes},
    the same files as S3 holds them."""
    rng = random.Random(11)
    files = [("small001aaaaaaaaaaaaaaaaaaaa.json.gz", 40, 64),
             ("empty001cccccccccccccccccccc.json.gz", 0, 0),
             (BIG, 3300, 3000)]
    objects = {}
    manifest_lines = []
    first_id = 0
    total = 0
    for name, items, payload in files:
        body = _data_file(rng, items, payload, first_id)
        first_id += items
        total += items
        key = f"{EXPORT_FOLDER}/data/{name}"
        objects[key] = body
        manifest_lines.append(json.dumps({
            "itemCount": items,
            "md5Checksum": base64.b64encode(hashlib.md5(body).digest()).decode(),
            "etag": hashlib.md5(body).hexdigest(),
            "dataFileS3Key": key,
        }))
    manifest_files = "".join(line + "\n" for line in manifest_lines).encode()
    objects[f"{EXPORT_FOLDER}/manifest-files.json"] = manifest_files
    summary = {
        "version": "2020-06-30",
        "exportArn": f"arn:aws:dynamodb:{REGION}:123456789012:table/Orders/export/{EXPORT_ID}",
        "startTime": "2026-01-01T00:00:00.000Z",
        "endTime": "2026-01-01T00:04:10.000Z",
        "tableArn": f"arn:aws:dynamodb:{REGION}:123456789012:table/Orders",
        "tableId": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "exportTime": "2026-01-01T00:00:00.000Z",
        "s3Bucket": bucket,
        "s3Prefix": S3_PREFIX,
        "s3SseAlgorithm": "AES256",
        "s3SseKmsKeyId": None,
        "manifestFilesS3Key": f"{EXPORT_FOLDER}/manifest-files.json",
        "billedSizeBytes": sum(len(b) for k, b in objects.items() if "/data/" in k),
        "itemCount": total,
        "outputFormat": "DYNAMODB_JSON",
        "exportType": "FULL_EXPORT",
        "outputView": "NEW_IMAGE",
    }
    objects[f"{EXPORT_FOLDER}/manifest-summary.json"] = json.dumps(summary, indent=2).encode()
    objects[f"{EXPORT_FOLDER}/_started"] = b""
    for key, body in objects.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    big = objects[f"{EXPORT_FOLDER}/data/{BIG}"]
    assert len(big) > 9 * MIB, f"the big data file is {len(big)} bytes of gzip, meant to be > 9 MiB"
    return objects, total


# -- helpers --------------------------------------------------------------------------------------

@pytest.fixture
def export(swift, tmp_path):
    """(bucket, local export folder, item count): the export on disk and in a new bucket of the Swift peer."""
    client = swift.client()
    bucket = f"ddbcdc-export-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=bucket)
    objects, items = make_export(tmp_path / "local", bucket)
    for key, body in objects.items():
        # One PutObject each: the ETag is the MD5 the manifest names, as for AWS's data files.
        client.put_object(Bucket=bucket, Key=key, Body=body)
    return bucket, tmp_path / "local" / EXPORT_FOLDER, items


def tree(directory):
    directory = Path(directory)
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def backfill(run_ddbcdc, tmp_path, name, export_location, endpoint=None, env=None):
    sink = tmp_path / f"sink-{name}"
    args = ["backfill", "--export", export_location, "--sink", sink, "--prefix", "tbl",
            "--resume-file", tmp_path / f"{name}.resume.json", "--quiet"]
    if endpoint:
        args += ["--endpoint-url", endpoint, "--region", REGION]
    run = run_ddbcdc(args, env=env)
    if run.returncode != 0:
        fail(f"backfill from {export_location} failed:\n" + run.describe())
    return tree(sink), run


def rows_in(objects):
    """Non-empty lines of the gzip NDJSON row objects (not _errors)."""
    count = 0
    for key, body in objects.items():
        if key.endswith(".gz") and "/_errors/" not in f"/{key}":
            count += sum(1 for line in gzip.decompress(body).split(b"\n") if line.strip())
    return count


def assert_same_tree(expected, actual, run):
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    different = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
    if missing or extra or different:
        fail(f"the backfill from S3 differs from the one from disk: missing {missing[:5]}, extra {extra[:5]}, "
             f"different bytes {different[:5]}\n" + run.describe())


def range_of(entry):
    """(first, last) byte of a GET's Range header, or None."""
    match = re.fullmatch(r"bytes=(\d+)-(\d+)", entry.headers.get("range", ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


# -- tests ----------------------------------------------------------------------------------------

def test_backfill_from_s3_lands_the_same_objects_as_from_disk(swift, export, run_ddbcdc, tmp_path):
    bucket, local, items = export
    from_disk, _ = backfill(run_ddbcdc, tmp_path, "disk", local)
    if rows_in(from_disk) != items:
        fail(f"the backfill from disk wrote {rows_in(from_disk)} rows for {items} items")
    from_s3, run = backfill(run_ddbcdc, tmp_path, "s3", f"s3://{bucket}/{EXPORT_FOLDER}/", swift.endpoint,
                            env=swift.credentials_env())
    assert_same_tree(from_disk, from_s3, run)


@pytest.mark.parametrize("action", ["cut-response", "truncate-response"])
def test_a_data_file_answer_cut_mid_body_is_resumed(action, swift, export, run_ddbcdc, tmp_path, fault_proxy):
    """The big data file's second GET (a range after the first 8 MiB) is cut halfway: with its
    Content-Length kept (the client sees a broken answer and asks for the range again), or without
    (a complete-looking answer, shorter than the range: the client asks for the rest). Either way
    the read goes on from that range, pinned by If-Match, and lands the same objects."""
    bucket, local, _ = export
    big_key = f"{EXPORT_FOLDER}/data/{BIG}"
    proxy = fault_proxy(swift, {"rules": [
        {"op": "get", "path": re.escape(f"/{bucket}/{big_key}") + "$", "attempt": [2], "action": action, "fraction": 0.5}]})
    from_disk, _ = backfill(run_ddbcdc, tmp_path, "disk", local)
    from_s3, run = backfill(run_ddbcdc, tmp_path, "s3", f"s3://{bucket}/{EXPORT_FOLDER}/", proxy.endpoint,
                            env=swift.credentials_env())
    assert_same_tree(from_disk, from_s3, run)

    gets = [e for e in proxy.entries("get") if e.key == big_key]
    cut = [i for i, e in enumerate(gets) if e.action == action]
    if len(cut) != 1:
        fail(f"the {action} rule fired {len(cut)} times on {big_key}: {[(e.action, e.headers.get('range')) for e in gets]}")
    ranges = [range_of(e) for e in gets]
    if None in ranges:
        fail(f"a GET of the data file asked for no byte range: {[e.headers.get('range') for e in gets]}")
    if any(last - first + 1 > 8 * MIB for first, last in ranges):
        fail(f"a range larger than 8 MiB: {ranges}")
    if [i for i, (first, _) in enumerate(ranges) if first == 0] != [0]:
        fail(f"the object was read from its start again after the cut: {ranges}")
    if not all("if-match" in e.headers for e in gets[1:]):
        fail(f"a range after the first went without If-Match: {[(e.headers.get('range'), e.headers.get('if-match')) for e in gets]}")
    index = cut[0]
    (cut_first, cut_last), (next_first, _) = ranges[index], ranges[index + 1]
    if action == "truncate-response" and not cut_first < next_first <= cut_last:
        fail(f"after a short answer to {ranges[index]} the client asked for {ranges[index + 1]}, not the rest of it")
    if action == "cut-response" and not cut_first <= next_first <= cut_last:
        fail(f"after a broken answer to {ranges[index]} the client asked for {ranges[index + 1]}, not that range")
    covered = sorted(ranges)
    if covered[-1][1] < len((local / "data" / BIG).read_bytes()) - 1:
        fail(f"the ranges {ranges} do not reach the end of the object")
