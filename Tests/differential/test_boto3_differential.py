"""Differential test: `ddbcdc transform` against boto3's TypeDeserializer.

The events come from scripts/gen_events.py (every DynamoDB type and its hard cases). For each
record the expected row is computed here, independently of ddbcdc, with boto3's
`TypeDeserializer` (subclassed to base64-decode B and BS, since stream events carry base64 text),
and every row and every value ddbcdc wrote is compared with it exactly:

  * N   as decimal.Decimal, and the number's text equal to the input text when that text is
        already a JSON number (no reformatting, no float on the way);
  * B   base64-decoded, as bytes;
  * SS / NS / BS  as sets, and the output arrays sorted as the contract says (strings by code
        point, numbers numerically, binaries by bytes), without duplicates;
  * S   exactly; BOOL and NULL by type and value; M member order = the input's member order;
  * metadata: _eventName, _eventId, _seq, _approxStreamTs (floor of the exact epoch ms),
        _ingestTs, is_deleted, _ttlDelete, after the item's attributes, in that order.

The binary comes from $DDBCDC_BIN (default .build/debug/ddbcdc under the repository root); a
missing binary fails the tests: build it with `swift build` first.

    swift build && python3 -m pytest Tests/differential -q
"""
import base64
import json
import os
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "gen_events.py"
SEED, RECORDS, BATCH = 7, 3000, 100
INGEST_TS = 1700000000000
META = ["_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete"]
JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")
MAX_REPORTED = 40


# --------------------------------------------------------------------------------------------
# the oracle
# --------------------------------------------------------------------------------------------
class StreamTypeDeserializer(TypeDeserializer):
    """boto3's deserializer, for stream events: B and BS arrive as base64 text, not bytes."""

    def _deserialize_b(self, value):
        return Binary(base64.b64decode(value, validate=True))


ORACLE = StreamTypeDeserializer()


def expected_image(image):
    return {name: ORACLE.deserialize(value) for name, value in image.items()}


class JNum:
    """A JSON number as written: its exact text and its Decimal value."""

    __slots__ = ("text", "value")

    def __init__(self, text):
        self.text = text
        self.value = Decimal(text)

    def __repr__(self):
        return f"JNum({self.text})"


def _unique_members(pairs):
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        dupes = sorted(n for n, c in Counter(names).items() if c > 1)
        raise ValueError(f"object has duplicate member names {dupes}")
    return dict(pairs)


def parse_row(line):
    """A row as written: numbers as JNum (text kept), member order kept, duplicates rejected."""
    return json.loads(line, parse_float=JNum, parse_int=JNum, object_pairs_hook=_unique_members)


def expected_millis(seconds):
    """Exact epoch ms, rounded down, of ApproximateCreationDateTime (parsed as int or Decimal)."""
    return int((Decimal(seconds) * 1000).to_integral_value(rounding="ROUND_FLOOR"))


def is_ttl_delete(record):
    ident = record.get("userIdentity") or {}
    return (record["eventName"] == "REMOVE" and ident.get("type") == "Service"
            and ident.get("principalId") == "dynamodb.amazonaws.com")


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------
class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}")

    def check(self, title):
        if self.items:
            shown = "\n  ".join(self.items[:MAX_REPORTED])
            more = f"\n  ... and {len(self.items) - MAX_REPORTED} more" if len(self.items) > MAX_REPORTED else ""
            pytest.fail(f"{title}: {len(self.items)} problem(s)\n  {shown}{more}", pytrace=False)


def number_value(actual, numbers):
    """(Decimal, text) of an output number, or None when it has the wrong JSON type."""
    if numbers == "exact":
        return (actual.value, actual.text) if isinstance(actual, JNum) else None
    if isinstance(actual, str):
        try:
            return Decimal(actual), actual
        except ArithmeticError:
            return None
    return None


def compare_value(av, expected, actual, where, numbers, problems):
    """Compares one output value with boto3's value of input attribute value `av`."""
    (tag, raw), = av.items()
    if tag == "S":
        if not isinstance(actual, str) or actual != expected:
            problems.add(where, f"S expected {expected!r}, got {actual!r}")
    elif tag == "N":
        got = number_value(actual, numbers)
        if got is None:
            problems.add(where, f"N {raw!r} written as {type(actual).__name__} {actual!r} with --numbers {numbers}")
        elif got[0] != expected:
            problems.add(where, f"N expected {expected}, got {got[1]}")
        elif JSON_NUMBER.match(raw) and got[1] != raw:
            problems.add(where, f"N text changed: input {raw!r}, output {got[1]!r}")
    elif tag == "B":
        if not isinstance(actual, str):
            problems.add(where, f"B written as {type(actual).__name__}")
        else:
            try:
                decoded = base64.b64decode(actual, validate=True)
            except ValueError as error:
                problems.add(where, f"B is not base64: {actual!r} ({error})")
            else:
                if decoded != expected.value:
                    problems.add(where, f"B expected {expected.value!r}, got {decoded!r}")
    elif tag == "BOOL":
        if not isinstance(actual, bool) or actual != expected:
            problems.add(where, f"BOOL expected {expected!r}, got {actual!r}")
    elif tag == "NULL":
        if actual is not None:
            problems.add(where, f"NULL expected null, got {actual!r}")
    elif tag in ("SS", "NS", "BS"):
        if not isinstance(actual, list):
            problems.add(where, f"{tag} written as {type(actual).__name__}, not an array")
            return
        if tag == "SS":
            if not all(isinstance(x, str) for x in actual):
                problems.add(where, f"SS has non-string members {actual!r}")
                return
            keys = [x.encode("utf-8") for x in actual]  # UTF-8 byte order == code point order
            members, wanted = set(actual), expected
        elif tag == "NS":
            values = [number_value(x, numbers) for x in actual]
            if any(v is None for v in values):
                problems.add(where, f"NS has members of the wrong type {actual!r} with --numbers {numbers}")
                return
            keys = [v[0] for v in values]
            members, wanted = set(keys), expected
            for value, text in values:
                # The input member with this value (members are numerically distinct).
                source = next((t for t in raw if Decimal(t) == value), None)
                if source is not None and JSON_NUMBER.match(source) and text != source:
                    problems.add(where, f"NS member text changed: input {source!r}, output {text!r}")
        else:
            try:
                keys = [base64.b64decode(x, validate=True) for x in actual]
            except (TypeError, ValueError) as error:
                problems.add(where, f"BS has members that are not base64 {actual!r} ({error})")
                return
            members, wanted = set(keys), {b.value for b in expected}
        if len(actual) != len(wanted) or members != wanted:
            problems.add(where, f"{tag} expected {sorted(wanted)!r}, got {actual!r}")
        if any(not (a < b) for a, b in zip(keys, keys[1:])):
            problems.add(where, f"{tag} not sorted strictly ascending: {actual!r}")
    elif tag == "M":
        if not isinstance(actual, dict):
            problems.add(where, f"M written as {type(actual).__name__}")
            return
        if list(actual) != list(raw):
            problems.add(where, f"M members {list(actual)!r}, expected in input order {list(raw)!r}")
        for name, member in raw.items():
            if name in actual:
                compare_value(member, expected[name], actual[name], f"{where}.{name}", numbers, problems)
    elif tag == "L":
        if not isinstance(actual, list) or len(actual) != len(raw):
            problems.add(where, f"L expected {len(raw)} elements, got {actual!r}")
            return
        for i, (element, value, got) in enumerate(zip(raw, expected, actual)):
            compare_value(element, value, got, f"{where}[{i}]", numbers, problems)
    else:
        problems.add(where, f"unknown tag {tag} in the input (generator bug)")


def compare_image(image, actual, where, numbers, problems):
    """Compares the members of an item (or a map) with boto3's values, in input order."""
    if not isinstance(actual, dict):
        problems.add(where, f"expected an object, got {actual!r}")
        return
    expected = expected_image(image)
    for name, av in image.items():
        if name not in actual:
            problems.add(where, f"attribute {name!r} missing")
        else:
            compare_value(av, expected[name], actual[name], f"{where}.{name}", numbers, problems)


def compare_metadata(record, row, where, problems):
    ddb = record["dynamodb"]
    millis = expected_millis(ddb["ApproximateCreationDateTime"])
    want = {
        "_eventName": record["eventName"],
        "_eventId": record["eventID"],
        "_seq": f"{millis:013d}-{int(ddb['SequenceNumber']):040d}",
        "_approxStreamTs": millis,
        "_ingestTs": INGEST_TS,
        "is_deleted": record["eventName"] == "REMOVE",
        "_ttlDelete": is_ttl_delete(record),
    }
    for column, value in want.items():
        got = row.get(column, "<missing>")
        if isinstance(value, bool):
            ok = isinstance(got, bool) and got == value
        elif isinstance(value, int):
            ok = isinstance(got, JNum) and re.fullmatch(r"[0-9]+", got.text) is not None and got.value == value
        else:
            ok = isinstance(got, str) and got == value
        if not ok:
            problems.add(where, f"{column} expected {value!r}, got {got!r}")


def compare_row(record, row, layout, numbers, problems):
    ddb = record["dynamodb"]
    where = f"record {record['eventID']} ({record['eventName']})"
    if layout == "flat":
        image = ddb["Keys"] if record["eventName"] == "REMOVE" else ddb["NewImage"]
        order = list(image) + META
        if list(row) != order:
            problems.add(where, f"columns {list(row)!r}, expected {order!r}")
        compare_image(image, {k: v for k, v in row.items() if k not in META}, where, numbers, problems)
    else:
        order = ["op", "keys", "before", "after"] + META
        if list(row) != order:
            problems.add(where, f"columns {list(row)!r}, expected {order!r}")
        op = {"INSERT": "c", "MODIFY": "u", "REMOVE": "d"}[record["eventName"]]
        if row.get("op") != op:
            problems.add(where, f"op expected {op!r}, got {row.get('op')!r}")
        parts = {
            "keys": ddb.get("Keys"),
            "before": ddb.get("OldImage"),
            "after": ddb.get("NewImage") if record["eventName"] != "REMOVE" else None,
        }
        for part, image in parts.items():
            got = row.get(part, "<missing>")
            if image is None:
                if got is not None:
                    problems.add(where, f"{part} expected null, got {got!r}")
                continue
            if isinstance(got, dict) and list(got) != list(image):
                problems.add(where, f"{part} members {list(got)!r}, expected in input order {list(image)!r}")
            compare_image(image, got, f"{where} {part}", numbers, problems)
    compare_metadata(record, row, where, problems)


def compare_run(records, run, layout, numbers, problems):
    """Every record must have exactly its row, in input order; set-aside records are problems."""
    rows = []
    for n, line in enumerate(run.rows):
        try:
            rows.append(parse_row(line))
        except ValueError as error:
            problems.add(f"output line {n + 1}", f"not a valid row: {error}: {line[:200]!r}")
            return
    rejected = {}
    for entry in run.errors:
        rejected[entry.get("eventID")] = entry
    by_id = {}
    for row in rows:
        if row.get("_eventId") in by_id:
            problems.add(f"record {row.get('_eventId')}", "more than one row")
        by_id[row.get("_eventId")] = row
    written_order = [row.get("_eventId") for row in rows]
    input_order = [r["eventID"] for r in records if r["eventID"] in by_id]
    if written_order != input_order:
        problems.add("output", "rows are not in input order")
    reasons = Counter()
    for record in records:
        row = by_id.get(record["eventID"])
        if row is None:
            entry = rejected.get(record["eventID"])
            if entry is not None:
                reasons[f"{entry.get('code')}: {entry.get('message')} (at {entry.get('path')})"] += 1
                problems.add(f"record {record['eventID']} ({record['eventName']})",
                             f"rejected by ddbcdc: [{entry.get('code')}] {entry.get('path')}: {entry.get('message')}")
            else:
                problems.add(f"record {record['eventID']}", "no row and no error")
            continue
        compare_row(record, row, layout, numbers, problems)
    if reasons:
        summary = "; ".join(f"{count} x {reason}" for reason, count in reasons.most_common(5))
        problems.items.insert(0, f"ddbcdc rejected {sum(reasons.values())} valid record(s): {summary}")


# --------------------------------------------------------------------------------------------
# running things
# --------------------------------------------------------------------------------------------
def ddbcdc_binary():
    configured = os.environ.get("DDBCDC_BIN", ".build/debug/ddbcdc")
    path = Path(configured)
    if not path.is_absolute():
        path = REPO / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"ddbcdc binary not found at {path}: run `swift build` in {REPO} first "
                    f"(or point DDBCDC_BIN at a built binary)", pytrace=False)
    return path


def ndjson_lines(text):
    """The lines of NDJSON text, split at "\n" only."""
    return [line for line in text.split("\n") if line.strip()]


class Run:
    def __init__(self, returncode, stdout, stderr, errors):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        # Not str.splitlines(): it also splits at U+2028, U+0085, \x1c..\x1e, which rows hold raw.
        self.rows = ndjson_lines(stdout.decode("utf-8"))
        self.errors = errors


def run_transform(input_path, workdir, *options, skip_invalid=True):
    """Runs `ddbcdc transform --input F --ingest-ts 1700000000000 [options]`."""
    command = [str(ddbcdc_binary()), "transform", "--input", str(input_path), "--ingest-ts", str(INGEST_TS), *options]
    errors_path = None
    if skip_invalid:
        errors_path = workdir / f"errors-{input_path.stem}-{'-'.join(o.strip('-') for o in options) or 'default'}.ndjson"
        command += ["--skip-invalid", "--errors", str(errors_path)]
    done = subprocess.run(command, capture_output=True, timeout=600)
    errors = []
    if errors_path is not None and errors_path.exists():
        errors = [json.loads(line) for line in ndjson_lines(errors_path.read_text(encoding="utf-8"))]
    return Run(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"), errors)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("differential")


@pytest.fixture(scope="module")
def events_file(workdir):
    path = workdir / "events.jsonl"
    subprocess.run([sys.executable, str(GENERATOR), "--seed", str(SEED), "--records", str(RECORDS),
                    "--batch-size", str(BATCH), "--out", str(path)], check=True, timeout=600)
    return path


@pytest.fixture(scope="module")
def records(events_file):
    """The input records, with ApproximateCreationDateTime as an exact Decimal."""
    out = []
    with open(events_file, encoding="utf-8") as f:
        for line in f:
            out.extend(json.loads(line, parse_float=Decimal)["Records"])
    assert len(out) == RECORDS
    return out


_runs = {}


@pytest.fixture(scope="module")
def transform(workdir, events_file):
    """Cached runs over the generated events, by options."""

    def get(*options):
        if options not in _runs:
            _runs[options] = run_transform(events_file, workdir, *options)
        run = _runs[options]
        assert run.returncode == 0, f"ddbcdc {' '.join(options)} exited {run.returncode}: {run.stderr}"
        return run

    return get


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------
def test_generator_is_deterministic(workdir):
    a, b = workdir / "det-a.jsonl", workdir / "det-b.jsonl"
    for path in (a, b):
        subprocess.run([sys.executable, str(GENERATOR), "--seed", "3", "--records", "250", "--batch-size", "7",
                        "--out", str(path)], check=True, timeout=300)
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_bytes().splitlines()) == 36  # ceil(250 / 7) events


def test_strict_run_accepts_every_record(workdir, events_file):
    """`ddbcdc transform --input F --ingest-ts 1700000000000` (no --skip-invalid) writes one row
    per record and exits 0: every generated record is valid DynamoDB data."""
    run = run_transform(events_file, workdir, skip_invalid=False)
    assert run.returncode == 0, f"ddbcdc exited {run.returncode} after {len(run.rows)} rows: {run.stderr.strip()}"
    assert len(run.rows) == RECORDS
    assert run.stderr == ""


def test_flat_rows_match_boto3(records, transform):
    problems = Problems()
    compare_run(records, transform(), "flat", "exact", problems)
    problems.check("flat rows differ from boto3's values")


def test_numbers_as_strings_match_boto3(records, transform):
    problems = Problems()
    compare_run(records, transform("--numbers", "string"), "flat", "string", problems)
    problems.check("--numbers string rows differ from boto3's values")


def test_envelope_rows_match_boto3(records, transform):
    problems = Problems()
    compare_run(records, transform("--layout", "envelope"), "envelope", "exact", problems)
    problems.check("--layout envelope rows differ from boto3's values")


def _dump(obj, **kwargs):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), **kwargs)


def _write_variants(events_file, workdir):
    """The same records as a bare array, NDJSON of records, GetRecords pages, and a pretty-printed array.

    Records are re-serialised with the generator's own settings (floats as repr, which round-trips
    the input text), so every record's bytes are as in the Lambda-event file."""
    events = [json.loads(line) for line in ndjson_lines(events_file.read_text(encoding="utf-8"))]
    all_records = [r for e in events for r in e["Records"]]
    variants = {}

    path = workdir / "bare-array.json"
    path.write_text(_dump(all_records) + "\n", encoding="utf-8")
    variants["bare array"] = path

    path = workdir / "records.ndjson"
    path.write_text("".join(_dump(r) + "\n" for r in all_records), encoding="utf-8")
    variants["NDJSON of records"] = path

    path = workdir / "getrecords-pages.jsonl"
    lines = []
    for i, event in enumerate(events):
        page_records = [{k: v for k, v in r.items() if k != "eventSourceARN"} for r in event["Records"]]
        if i % 3 == 0:
            page = {"NextShardIterator": "x", "Records": page_records}
        elif i % 3 == 1:
            page = {"Records": page_records, "NextShardIterator": "x"}
        else:
            page = {"NextShardIterator": "x",
                    "ResponseMetadata": {"RequestId": f"req-{i}", "HTTPStatusCode": 200,
                                         "HTTPHeaders": {"x-amz-crc32": "1", "list": [1, {"a": []}]}},
                    "Records": page_records}
        lines.append(_dump(page) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    variants["GetRecords pages"] = path

    path = workdir / "pretty-array.json"
    path.write_text(json.dumps(all_records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    variants["pretty-printed bare array"] = path
    return variants


def test_input_shapes_give_the_same_rows(events_file, workdir, transform):
    reference = transform()
    reference_errors = [(e.get("eventID"), e.get("code")) for e in reference.errors]
    failures = []
    for name, path in _write_variants(events_file, workdir).items():
        run = run_transform(path, workdir)
        if run.returncode != 0:
            failures.append(f"{name}: exited {run.returncode}: {run.stderr.strip()}")
            continue
        if run.stdout != reference.stdout:
            a, b = run.rows, reference.rows
            first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            failures.append(f"{name}: {len(a)} rows vs {len(b)} from the Lambda event; first difference at row {first + 1}:\n"
                            f"    got      {a[first][:300] if first < len(a) else '<none>'}\n"
                            f"    expected {b[first][:300] if first < len(b) else '<none>'}")
        errors = [(e.get("eventID"), e.get("code")) for e in run.errors]
        if errors != reference_errors:
            failures.append(f"{name}: set-aside records {errors[:5]}... differ from the Lambda event's {reference_errors[:5]}...")
    assert not failures, "\n".join(failures)
