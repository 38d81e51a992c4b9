"""Shared pieces of the `ddbcdc backfill` tests: the binary, the exports (scripts/gen_export.py), and
an independent reading of both sides -- what the export holds, read with Python's gzip and json and
boto3's TypeDeserializer, and what the sink holds, every object opened.

The binary comes from $DDBCDC_BIN (default .build/debug/ddbcdc under the repository root); a
missing binary fails the tests (it does not skip them).
"""
import base64
import gzip
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow
import pyarrow.parquet
import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.append(str(ROOT / "Tests" / "spark"))  # engines.py, workload.py (after this folder: its conftest is not ours)

import gen_export  # noqa: E402

# The metadata columns a row may carry besides the item's attributes (the seed's names).
METADATA = {"_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete", "_rescued_data"}
ZEROS = "0" * 40


def ddbcdc_binary() -> Path:
    path = Path(os.environ.get("DDBCDC_BIN", ROOT / ".build" / "debug" / "ddbcdc"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"ddbcdc binary not found at {path}: build it (swift build) or set DDBCDC_BIN", pytrace=False)
    return path


@pytest.fixture(scope="session")
def ddbcdc():
    """Runs ddbcdc with arguments (in `cwd`, default a folder of the test's own); returns the
    CompletedProcess. `expect` is the exit status the test needs (None: any)."""
    binary = ddbcdc_binary()

    def run(*args, expect=0, cwd=None, timeout=300):
        result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd)
        if expect is not None and result.returncode != expect:
            pytest.fail(f"ddbcdc {' '.join(map(str, args))} exited {result.returncode}, not {expect}:\n"
                        f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}", pytrace=False)
        return result

    return run


# --------------------------------------------------------------------------------------------
# the export side, read independently of ddbcdc
# --------------------------------------------------------------------------------------------
class ExportDeserializer(TypeDeserializer):
    """boto3's deserializer for export files, whose B and BS values are base64 text (boto3 expects
    raw bytes there and raises TypeError)."""

    def _deserialize_b(self, value):
        return Binary(base64.b64decode(value))


DESERIALIZER = ExportDeserializer()


def deserialize_image(image):
    return {name: DESERIALIZER.deserialize(value) for name, value in image.items()}


def floor_second(ms):
    return ms // 1000 * 1000


def export_ms(report):
    """exportTime of a full export, epoch ms, from its manifest-summary.json."""
    from datetime import datetime
    text = report["summary"]["exportTime"]
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000 + 0.5)


def full_seq(export_time_ms, overlap_ms):
    return f"{floor_second(export_time_ms - overlap_ms) - 1:013d}-{ZEROS}"


def incremental_seq(micros, overlap_ms):
    return f"{floor_second(micros // 1000 - overlap_ms) - 1:013d}-{micros:040d}"


def data_lines(report):
    """(file name, line number from 1, parsed line) of every data line, as Python reads them."""
    for f in report["files"]:
        with gzip.open(f["path"], "rt", encoding="utf-8", newline="\n") as handle:
            for number, line in enumerate(handle.read().split("\n"), 1):
                if line:
                    yield f["name"], number, json.loads(line)


def expected_rows(report, overlap_ms):
    """The rows the export should become, by `_eventId`: the metadata the contract fixes and the
    item image as boto3's TypeDeserializer reads it."""
    out = {}
    full = report["summary"]["exportType"] == "FULL_EXPORT"
    for name, number, line in data_lines(report):
        event_id = f"{report['exportId']}/{name}/{number}"
        if full:
            out[event_id] = {"_eventName": "INSERT", "is_deleted": False, "_seq": full_seq(export_ms(report), overlap_ms),
                             "item": deserialize_image(line["Item"])}
        else:
            stamp = line["Metadata"]["WriteTimestampMicros"]
            micros = int(stamp["N"]) if isinstance(stamp, dict) else int(stamp)
            deleted = "NewImage" not in line
            out[event_id] = {"_eventName": "REMOVE" if deleted else "INSERT", "is_deleted": deleted,
                             "_seq": incremental_seq(micros, overlap_ms),
                             "item": deserialize_image(line["Keys"] if deleted else line["NewImage"])}
    return out


# --------------------------------------------------------------------------------------------
# the sink side
# --------------------------------------------------------------------------------------------
PARTITION = re.compile(r"(?:^|/)dt=(\d{4}-\d\d-\d\d)/HH=(\d\d)/[^/]+(?:\.ndjson\.gz|\.parquet)$")


def sink_objects(sink):
    """Every file under the sink (not only the ones that look like objects), but the hidden
    temporaries a killed run leaves (`.<name>.<pid>.<random>.tmp`: Spark and Auto Loader skip names
    starting with `.`, and a later run into the same folder removes them)."""
    return sorted(p for p in Path(sink).rglob("*") if p.is_file() and not p.name.startswith("."))


def read_packed_parquet_rows(data):
    """The rows of a Parquet object in the packed layout (docs/parquet.md), as the NDJSON row has
    them: the metadata columns that are not null, then the members of `_item` (numbers as Decimals).
    pyarrow checks the whole file first."""
    table = pyarrow.parquet.read_table(pyarrow.BufferReader(data))
    table.validate(full=True)
    assert table.column_names[-1] == "_item", table.column_names
    rows = []
    for record in table.to_pylist():
        item = json.loads(record.pop("_item"), parse_float=Decimal, parse_int=Decimal)
        rows.append({**item, **{name: value for name, value in record.items() if value is not None}})
    return rows


def read_object(path):
    if str(path).endswith(".parquet"):
        return read_packed_parquet_rows(Path(path).read_bytes())
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
        return [json.loads(l, parse_float=Decimal, parse_int=Decimal) for l in handle.read().split("\n") if l]


def sink_rows(sink):
    """(object path, row) for every row of every data object; _errors objects are left out, and
    any other file that is not a partitioned .ndjson.gz object fails the test."""
    out = []
    for path in sink_objects(sink):
        rel = path.relative_to(sink).as_posix()
        if "/_errors/" in "/" + rel:
            continue
        assert PARTITION.search(rel), f"{rel}: not an object under dt=/HH="
        out.extend((path, row) for row in read_object(path))
    return out


def error_entries(sink):
    """The lines of the sink's _errors objects (gzip'd or not), parsed when they are JSON."""
    out = []
    for path in sink_objects(sink):
        rel = path.relative_to(sink).as_posix()
        if "/_errors/" not in "/" + rel:
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        for line in data.decode("utf-8").split("\n"):
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append(line)
    return out


def partition_of_seq(seq):
    """The dt=/HH= folder a row of this `_seq` belongs in (UTC)."""
    from datetime import datetime, timezone
    t = datetime.fromtimestamp(int(seq[:13]) / 1000, tz=timezone.utc)
    return t.strftime("%Y-%m-%d"), t.strftime("%H")


def canonical(value):
    """A deserialized (or row) value in a comparable form: Binary → bytes, sets → frozensets."""
    if isinstance(value, Binary):
        return ("B", bytes(value.value))
    if isinstance(value, (set, frozenset)):
        return frozenset(canonical(v) for v in value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def mismatch(expected, actual, path="item"):
    """Where a row value differs from what TypeDeserializer read (None when they agree). Numbers
    compare as Decimals (exact), binaries by their bytes, sets as sets of members."""
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(actual) is not type(expected) or actual != expected:
            return f"{path}: {actual!r} is not {expected!r}"
        return None
    if isinstance(expected, Decimal):
        if not isinstance(actual, Decimal) or actual != expected:
            return f"{path}: {actual!r} is not the number {expected}"
        return None
    if isinstance(expected, Binary):
        try:
            ok = isinstance(actual, str) and base64.b64decode(actual, validate=True) == bytes(expected.value)
        except ValueError:
            ok = False
        return None if ok else f"{path}: {actual!r} is not base64 of {bytes(expected.value)!r}"
    if isinstance(expected, set):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: {actual!r} is not the set {expected!r}"
        members = next(iter(expected))
        if isinstance(members, Binary):
            got = {("B", base64.b64decode(a)) for a in actual}
        else:
            got = set(actual)
        if got != canonical(expected):
            return f"{path}: {actual!r} is not the set {expected!r}"
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return f"{path}: members {sorted(actual) if isinstance(actual, dict) else actual!r} are not {sorted(expected)}"
        for k in expected:
            m = mismatch(expected[k], actual[k], f"{path}.{k}")
            if m:
                return m
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: {actual!r} is not a list of {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            m = mismatch(e, a, f"{path}[{i}]")
            if m:
                return m
        return None
    raise AssertionError(f"{path}: unexpected expected value {expected!r}")


def check_rows(sink, expected, copies=1):
    """Every expected row is in the sink exactly once (at most `copies` times, all the same), with
    the contract's metadata, its item exactly, in the partition of its `_seq`; nothing else is there."""
    rows = sink_rows(sink)
    seen, first, count = {}, {}, {}
    for path, row in rows:
        event_id = row.get("_eventId")
        assert event_id in expected, f"{path.name}: a row with an unknown _eventId {event_id!r}"
        count[event_id] = count.get(event_id, 0) + 1
        assert count[event_id] <= copies, f"{event_id}: {count[event_id]} rows ({seen[event_id].name}, {path.name})"
        if event_id in first:
            assert row == first[event_id], f"{event_id}: two copies differ"
            continue
        seen[event_id], first[event_id] = path, row
        want = expected[event_id]
        for column in ("_eventName", "is_deleted", "_seq"):
            assert row.get(column) == want[column], f"{event_id}: {column} {row.get(column)!r}, not {want[column]!r}"
        dt, hh = partition_of_seq(want["_seq"])
        assert path.parent.name == f"HH={hh}" and path.parent.parent.name == f"dt={dt}", \
            f"{event_id}: in {path.parent.parent.name}/{path.parent.name}, its _seq says dt={dt}/HH={hh}"
        item = {k: v for k, v in row.items() if k not in METADATA}
        problem = mismatch(want["item"], item)
        assert problem is None, f"{event_id}: {problem}"
    missing = sorted(set(expected) - set(seen))
    assert not missing, f"{len(missing)} rows missing, e.g. {missing[:3]}"
    return rows


@pytest.fixture
def make_export(tmp_path):
    """Writes a full export of `items` generated devices (scripts/gen_export.py's, every type);
    returns its report (exportDir, exportId, files, summary, …)."""
    counter = iter(range(1000))

    def make(items=120, files=4, empty_files=2, seed=7, export_time=None, bare_keys=False, **kw):
        out = tmp_path / f"export-{next(counter)}"
        devices = (gen_export.device(seed, i) for i in range(items))
        t = export_time if export_time is not None else (gen_export.EPOCH0 + 86400) * 1000 + 123
        return gen_export.write_full_export(out, devices, t, seed=seed, files=files, empty_files=empty_files,
                                            bare_keys=bare_keys, **kw)

    return make
