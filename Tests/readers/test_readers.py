"""Real readers read what `ddbcdc run` writes: PySpark's JSON source and DuckDB's read_json.

The input is scripts/gen_events.py's output (seed 11, 3,000 records, Lambda events of 100),
changed in two deliberate ways before ddbcdc sees it (both in `make_input`):

  * each event is moved in time by its own offset (about 83 minutes apart, the first one into
    2025-12-31, one of them a month back), so the objects land in ~30 dt=/HH= folders across a
    year and a day boundary and the partition check has something to check -- the generator
    alone writes 40 records a second, all of them in one hour;
  * every NewImage gains `precise_amount` (N, 38 significant digits, at most 20 before the
    point and 18 after) and `ledger` (M: `balance` N of the same kind, `currency` S, `history`
    L of N). The generator's own 38-digit values range from 1E-165 to 1E+125, which no single
    DECIMAL(38, s) column holds, so Spark's `prefersDecimal` falls back to double for their
    columns; a money-like column is what DECIMAL(38, 18) is for, and it must come back exact.

Everything else is the generator's bytes (checked: a json round trip of each line is
byte-identical). The expectations are computed here, from the input events, independently of
ddbcdc. `ddbcdc run` writes the input twice: with exact numbers (`out-exact`) and with
`--numbers string` (`out-string`).

  * PySpark (local[1], UI off, bound to 127.0.0.1): `spark.read.json(<sink>)` with Hive-style
    partition discovery (partition column type inference off, so dt and HH stay the folder
    text). Row count, every eventID exactly once, no `_corrupt_record`, strings (unicode,
    control characters), booleans, nested struct fields, sorted sets, exact DECIMAL(38, 18)
    values with `prefersDecimal=true` (plus spark.sql.legacy.allowNegativeScaleOfDecimal:
    without it Spark refuses numbers such as 1E+5, a known problem that
    test_spark_prefers_decimal_with_default_settings records), and -- from the string run --
    every 38-digit generator value as text equal to the input's N text (and equal as a
    Decimal); the dt=/HH= folder of every row equals the UTC hour of its `_approxStreamTs`.
  * DuckDB: `read_json('<sink>/**/*.ndjson.gz', format='newline_delimited', ...)` with
    hive_partitioning: the same count and eventIDs, the string run's 38-digit values cast to
    DECIMAL(38, 18) (and compared as text), spot checks of several columns and the partitions.
  * Without a reader: the objects' rows, decompressed with Python's gzip, are exactly the lines
    `ddbcdc transform --ingest-ts none` writes for the same input.

The binary comes from $DDBCDC_BIN (default .build/debug/ddbcdc under the repository root). A
missing binary, pyspark or duckdb fails the tests (it does not skip them).

    swift build && .venv/bin/python -m pytest Tests/readers -q
"""
import base64
import gzip
import importlib
import json
import os
import random
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "gen_events.py"
SEED, RECORDS, BATCH = 11, 3000, 100
HOUR_STEP_S = 5000  # seconds between events after moving them: ~83 minutes
FIRST_OFFSET_S = -4000  # the first event moves back into 2025-12-31T22:xx
LATE_EVENT, LATE_OFFSET_S = 17, -31 * 86400  # one event a month back, between newer ones


def fail(message):
    pytest.fail(message, pytrace=False)


def require(module):
    """Imports a reader module, failing (not skipping) the test when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        fail(f"{module} is not importable by {sys.executable} ({error}); "
             f"install the readers: {sys.executable} -m pip install pyspark duckdb")


def ddbcdc_bin():
    path = Path(os.environ.get("DDBCDC_BIN", REPO / ".build" / "debug" / "ddbcdc"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        fail(f"no ddbcdc binary at {path}: build it (swift build) or set DDBCDC_BIN")
    return path


# --------------------------------------------------------------------------------------------
# the input
# --------------------------------------------------------------------------------------------
def dumps(obj):
    """The generator's own serialization (compact, UTF-8, non-ASCII raw)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def text_lines(path):
    """The lines of a file, split at \\n only: str.splitlines would also split inside strings
    that hold U+2028, U+0085 or a raw \\x1c (valid unescaped in JSON text)."""
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line]


def amount(rng):
    """A DECIMAL(38, 18) value as DynamoDB N text: mostly 38 significant digits."""
    c = rng.random()
    if c < 0.05:
        return rng.choice(["0", "-0", "1.5", "-12345.678", "0.000000000000000001", "100.000000000000000000",
                           "99999999999999999999.999999999999999999", "-99999999999999999999.999999999999999999"])
    whole = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(19))
    frac = "".join(rng.choice("0123456789") for _ in range(17)) + str(rng.randint(1, 9))
    if c < 0.25:  # fewer integer digits, still 18 after the point
        whole = whole[: rng.randint(1, 19)]
    return ("-" if rng.random() < 0.3 else "") + whole + "." + frac


def make_input(raw_path, out_path):
    """Writes the test input: the generator's events, moved in time, with the DECIMAL(38, 18) attributes."""
    rng = random.Random(SEED * 1009)
    lines_out = []
    for index, line in enumerate(text_lines(raw_path)):
        event = json.loads(line)
        if dumps(event) != line:
            raise AssertionError(f"event {index}: a json round trip changes the generator's bytes")
        offset = LATE_OFFSET_S if index == LATE_EVENT else FIRST_OFFSET_S + index * HOUR_STEP_S
        for record in event["Records"]:
            ddb = record["dynamodb"]
            approx = ddb["ApproximateCreationDateTime"]
            if isinstance(approx, int):
                ddb["ApproximateCreationDateTime"] = approx + offset
            else:  # e.g. 1767225600.123: add exactly, then back to the float json writes as that text
                ddb["ApproximateCreationDateTime"] = float(Decimal(repr(approx)) + offset)
            if "NewImage" in ddb:
                ddb["NewImage"]["precise_amount"] = {"N": amount(rng)}
                ddb["NewImage"]["ledger"] = {"M": {
                    "balance": {"N": amount(rng)},
                    "currency": {"S": rng.choice(["€", "EUR", "R$", "¥", "💶"])},
                    "history": {"L": [{"N": amount(rng)} for _ in range(rng.randint(0, 3))]},
                }}
        lines_out.append(dumps(event))
    out_path.write_text("\n".join(lines_out) + "\n", encoding="utf-8")


def plain(av):
    """DynamoDB JSON -> the value a reader should give back (numbers as Decimal, sets sorted)."""
    (tag, v), = av.items()
    if tag == "S":
        return v
    if tag == "N":
        return Decimal(v)
    if tag in ("B", "BOOL"):
        return v
    if tag == "NULL":
        return None
    if tag == "SS":
        return sorted(v)  # by code point, as the contract says
    if tag == "NS":
        return sorted((Decimal(x) for x in v))
    if tag == "BS":
        return sorted(v, key=base64.b64decode)
    if tag == "M":
        return {k: plain(x) for k, x in v.items()}
    return [plain(x) for x in v]


def expected_rows(events_path):
    """eventID -> what its row must hold, computed from the input events alone."""
    expected = {}
    for line in text_lines(events_path):
        for record in json.loads(line, parse_float=Decimal)["Records"]:
            ddb = record["dynamodb"]
            name = record["eventName"]
            image = ddb["NewImage"] if name in ("INSERT", "MODIFY") else ddb["Keys"]
            approx_ms = int((Decimal(ddb["ApproximateCreationDateTime"]) * 1000).to_integral_value(rounding="ROUND_FLOOR"))
            identity = record.get("userIdentity") or {}
            hour = datetime.fromtimestamp(approx_ms // 1000, tz=timezone.utc)
            assert record["eventID"] not in expected, "the generator repeated an eventID"
            expected[record["eventID"]] = {
                "image": image,  # DynamoDB JSON, N text kept
                "_eventName": name,
                "_approxStreamTs": approx_ms,
                "_seq": f"{approx_ms:013d}-{int(ddb['SequenceNumber']):040d}",
                "is_deleted": name == "REMOVE",
                "_ttlDelete": name == "REMOVE" and identity.get("type") == "Service"
                and identity.get("principalId") == "dynamodb.amazonaws.com",
                "dt": f"{hour:%Y-%m-%d}",
                "HH": f"{hour:%H}",
            }
    return expected


def n_text(image, *path):
    """The N text at `path` (attribute, then map members) in a DynamoDB JSON image, or None."""
    av = image.get(path[0])
    for step in path[1:]:
        if av is None:
            return None
        av = av.get("M", {}).get(step)
    return None if av is None else av["N"]


def value_at(image, *path):
    av = image.get(path[0])
    for step in path[1:]:
        if av is None:
            return None
        av = av.get("M", {}).get(step)
    return None if av is None else plain(av)


def hour_of(ms):
    t = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return f"{t:%Y-%m-%d}", f"{t:%H}"


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(tmp_path_factory):
    binary = ddbcdc_bin()
    work = tmp_path_factory.mktemp("readers")
    raw = work / "generated.jsonl"
    subprocess.run([sys.executable, str(GENERATOR), "--seed", str(SEED), "--records", str(RECORDS),
                    "--batch-size", str(BATCH), "--out", str(raw)], check=True)
    events = work / "events.jsonl"
    make_input(raw, events)
    sinks = {}
    for label, extra in (("exact", []), ("string", ["--numbers", "string"])):
        sink = work / f"out-{label}"
        run = subprocess.run([str(binary), "run", "--input", str(events), "--sink", str(sink), "--quiet", *extra],
                             capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"ddbcdc run {' '.join(extra)} exited {run.returncode}:\n{run.stderr}")
        if f"{RECORDS} rows written" not in run.stderr or " 0 set aside" not in run.stderr:
            fail(f"unexpected summary from ddbcdc run {' '.join(extra)}: {run.stderr.strip()}")
        if (sink / "_errors").exists():
            fail(f"ddbcdc run set records aside: {sorted(p.name for p in (sink / '_errors').iterdir())}")
        sinks[label] = sink
    return {"binary": binary, "events": events, "sinks": sinks, "expected": expected_rows(events), "work": work}


def object_files(sink):
    files = sorted(sink.rglob("*.ndjson.gz"))
    assert files, f"no objects under {sink}"
    return files


@pytest.fixture(scope="module")
def spark():
    require("pyspark")
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("ddbcdc-readers")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        # dt=2026-01-01 / HH=07 stay the folder text, not a date and the integer 7.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def duck():
    duckdb = require("duckdb")
    con = duckdb.connect()
    yield con
    con.close()


# --------------------------------------------------------------------------------------------
# without a reader: the objects hold transform's rows
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["exact", "string"])
def test_objects_hold_the_rows_transform_writes(data, label):
    sink = data["sinks"][label]
    extra = ["--numbers", "string"] if label == "string" else []
    transform = subprocess.run([str(data["binary"]), "transform", "--input", str(data["events"]),
                                "--ingest-ts", "none", *extra], capture_output=True, check=True)
    want = Counter(transform.stdout.split(b"\n")[:-1])
    got = Counter()
    for path in object_files(sink):
        body = gzip.decompress(path.read_bytes())
        assert body.endswith(b"\n"), f"{path.name} does not end with a newline"
        lines = body.split(b"\n")[:-1]
        got.update(lines)
        folder = f"{path.parent.parent.name}/{path.parent.name}"
        for line in lines:
            row = json.loads(line)
            assert folder == "dt=%s/HH=%s" % hour_of(row["_approxStreamTs"]), f"{row['_eventId']} in {folder}"
    assert sum(got.values()) == RECORDS
    assert got == want, "the objects' rows differ from `ddbcdc transform`'s"
    partitions = {p.parent for p in object_files(sink)}
    assert len(partitions) >= 25, f"only {len(partitions)} partitions: the input was meant to span ~30 hours"


# --------------------------------------------------------------------------------------------
# PySpark
# --------------------------------------------------------------------------------------------
SPARK_COLUMNS = ["_eventId", "_eventName", "_seq", "_approxStreamTs", "is_deleted", "_ttlDelete", "dt", "HH",
                 "pk", "sk", "device_name", "note", "model", "online", "labels", "temp_c",
                 "precise_amount", "ledger", "config", "calibration", "readings"]


def check_common_spark(df, expected):
    from pyspark.sql import functions as F

    assert "_corrupt_record" not in df.columns, "Spark could not parse some lines"
    assert df.count() == RECORDS
    ids = [r[0] for r in df.select("_eventId").collect()]
    assert len(ids) == len(set(ids)), f"eventIDs read more than once: {[i for i, c in Counter(ids).items() if c > 1][:5]}"
    assert set(ids) == set(expected)
    # the dt=/HH= folder of every row is the UTC hour of its _approxStreamTs, as Spark computes it
    wrong = df.where(
        (F.col("dt") != F.date_format(F.timestamp_millis("_approxStreamTs"), "yyyy-MM-dd"))
        | (F.col("HH") != F.date_format(F.timestamp_millis("_approxStreamTs"), "HH"))
    ).select("_eventId", "dt", "HH", "_approxStreamTs").limit(5).collect()
    assert not wrong, f"rows in the wrong partition: {wrong}"
    return df.select(*SPARK_COLUMNS).collect()


def test_spark_reads_exact_numbers_as_decimals(data, spark):
    from pyspark.sql.types import DecimalType

    expected = data["expected"]
    # Exponent forms with a positive exponent (1E+5, -7.25E+10, 3.59E+91: kept as DynamoDB sent
    # them) infer as decimal(p, negative scale), which Spark 3+ refuses unless this legacy flag
    # is on; see test_spark_prefers_decimal_with_default_settings. With the flag, such values
    # fall back to double only in their own columns; DECIMAL(38, 18) columns stay exact.
    spark.conf.set("spark.sql.legacy.allowNegativeScaleOfDecimal", "true")
    try:
        df = spark.read.option("prefersDecimal", "true").json(str(data["sinks"]["exact"]))
        schema = {f.name: f.dataType for f in df.schema.fields}
        assert schema["precise_amount"] == DecimalType(38, 18), schema["precise_amount"]
        ledger = {f.name: f.dataType for f in schema["ledger"].fields}
        assert ledger["balance"] == DecimalType(38, 18), ledger
        assert ledger["history"].elementType == DecimalType(38, 18), ledger
        assert isinstance(schema["temp_c"], DecimalType), schema["temp_c"]
        rows = check_common_spark(df, expected)

        checked = Counter()
        for row in rows:
            want = expected[row["_eventId"]]
            image = want["image"]
            where = f"row {row['_eventId']}"
            for meta in ("_eventName", "_seq", "_approxStreamTs", "is_deleted", "_ttlDelete", "dt", "HH"):
                assert row[meta] == want[meta], f"{where}: {meta} {row[meta]!r} != {want[meta]!r}"
            for name in ("pk", "sk", "device_name", "note", "model", "online", "labels"):
                assert row[name] == value_at(image, name), f"{where}: {name} {row[name]!r} != {value_at(image, name)!r}"
            # exact decimals: the value equals the input's N text, to the last of 38 digits
            for got, text, label in (
                (row["precise_amount"], n_text(image, "precise_amount"), "precise_amount"),
                (row["temp_c"], n_text(image, "temp_c"), "temp_c"),
                (row["ledger"]["balance"] if row["ledger"] else None, n_text(image, "ledger", "balance"), "ledger.balance"),
            ):
                if text is None:
                    assert got is None, f"{where}: {label} is {got!r}, the item has none"
                    continue
                assert isinstance(got, Decimal) and got == Decimal(text), f"{where}: {label} {got!r} != {text}"
                checked[label] += 1
            if row["ledger"] is not None:
                history = [Decimal(x["N"]) for x in image["ledger"]["M"]["history"]["L"]]
                assert row["ledger"]["history"] == history, f"{where}: ledger.history"
                assert row["ledger"]["currency"] == value_at(image, "ledger", "currency")
            # nested structs
            config = value_at(image, "config")
            if config is None:
                assert row["config"] is None
            else:
                assert row["config"]["net"]["wifi"]["ssid"] == config["net"]["wifi"]["ssid"], f"{where}: config.net.wifi.ssid"
                assert row["config"]["net"]["dns"] == config["net"]["dns"]
                assert row["config"]["limits"]["max_temp"] == config["limits"]["max_temp"], f"{where}: config.limits.max_temp"
                assert row["config"]["quote\"d key"] == config["quote\"d key"]
                checked["config"] += 1
        # every kind of check ran on a good share of the rows
        assert checked["precise_amount"] > 2000 and checked["ledger.balance"] > 2000 and checked["config"] > 100, checked
        digits38 = sum(1 for w in expected.values() if len((n_text(w["image"], "precise_amount") or "").lstrip("-").replace(".", "")) == 38)
        assert digits38 > 1500, f"only {digits38} 38-digit amounts"
    finally:
        spark.conf.unset("spark.sql.legacy.allowNegativeScaleOfDecimal")


def test_spark_prefers_decimal_with_default_settings_needs_a_hint(data, spark):
    """The plain `prefersDecimal=true` read, without the legacy flag: a known reader limitation.

    Spark's JSON schema inference turns a number written with a positive exponent (1E+5) into
    decimal(1,-5) and then refuses it (NEGATIVE_SCALE_DISALLOWED), failing the whole read.
    ddbcdc keeps DynamoDB's number text, so such values reach Spark as written; the README tells
    readers to use spark.sql.legacy.allowNegativeScaleOfDecimal=true, an explicit schema (the
    generated notebook's schema hints) or --numbers string. This test pins that behaviour: if a
    Spark release lifts the limitation, it fails and the README's advice should be revisited.
    """
    from pyspark.errors import AnalysisException

    assert spark.conf.get("spark.sql.legacy.allowNegativeScaleOfDecimal", "false") == "false"
    with pytest.raises(AnalysisException, match="NEGATIVE_SCALE_DISALLOWED"):
        spark.read.option("prefersDecimal", "true").json(str(data["sinks"]["exact"])).count()


def test_spark_reads_string_numbers_exactly(data, spark):
    from pyspark.sql.types import ArrayType, StringType

    expected = data["expected"]
    df = spark.read.json(str(data["sinks"]["string"]))
    schema = {f.name: f.dataType for f in df.schema.fields}
    for name in ("precise_amount", "calibration", "temp_c", "version", "updated_at"):
        assert schema[name] == StringType(), f"{name} read as {schema[name]}"
    assert schema["readings"] == ArrayType(StringType(), True)
    rows = check_common_spark(df, expected)

    long_values = 0
    for row in rows:
        want = expected[row["_eventId"]]
        image = want["image"]
        where = f"row {row['_eventId']}"
        for name in ("pk", "sk", "device_name", "note", "online", "labels"):
            assert row[name] == value_at(image, name), f"{where}: {name}"
        for got, text, label in (
            (row["precise_amount"], n_text(image, "precise_amount"), "precise_amount"),
            (row["calibration"], n_text(image, "calibration"), "calibration"),
            (row["temp_c"], n_text(image, "temp_c"), "temp_c"),
            (row["ledger"]["balance"] if row["ledger"] else None, n_text(image, "ledger", "balance"), "ledger.balance"),
        ):
            if text is None:
                assert got is None, f"{where}: {label} is {got!r}, the item has none"
                continue
            assert got == text and Decimal(got) == Decimal(text), f"{where}: {label} {got!r} != {text}"
            if len(text.lstrip("-").split("e")[0].split("E")[0].replace(".", "").lstrip("0")) == 38:
                long_values += 1
        readings = image.get("readings")
        if readings is None:
            assert row["readings"] is None
        else:  # NS: sorted numerically, each member's text as the input wrote it
            assert sorted(row["readings"]) == sorted(readings["NS"]), f"{where}: readings members"
            assert [Decimal(x) for x in row["readings"]] == sorted(Decimal(x) for x in readings["NS"]), f"{where}: readings order"
    assert long_values > 2000, f"only {long_values} 38-digit values checked"


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------
def read_json_sql(sink):
    pattern = str(sink / "**" / "*.ndjson.gz").replace("'", "''")
    return (f"read_json('{pattern}', format='newline_delimited', hive_partitioning=true, "
            f"hive_types_autocast=false, union_by_name=true, sample_size=-1)")


def check_common_duck(con, sink, expected):
    source = read_json_sql(sink)
    count, distinct = con.sql(f"SELECT count(*), count(DISTINCT _eventId) FROM {source}").fetchall()[0]
    assert count == RECORDS and distinct == RECORDS, (count, distinct)
    ids = {r[0] for r in con.sql(f"SELECT _eventId FROM {source}").fetchall()}
    assert ids == set(expected)
    wrong = con.sql(
        f"SELECT _eventId, dt, HH, _approxStreamTs FROM {source} "
        f"WHERE dt <> strftime(make_timestamp(_approxStreamTs * 1000), '%Y-%m-%d') "
        f"   OR HH <> strftime(make_timestamp(_approxStreamTs * 1000), '%H') LIMIT 5").fetchall()
    assert not wrong, f"rows in the wrong partition: {wrong}"
    return source


def test_duckdb_reads_string_numbers_as_decimal_38(data, duck):
    expected = data["expected"]
    source = check_common_duck(duck, data["sinks"]["string"], expected)
    rows = duck.sql(
        f"SELECT _eventId, _eventName, _seq, is_deleted, _ttlDelete, pk, sk, device_name, note, online, labels, "
        f"  precise_amount, CAST(precise_amount AS DECIMAL(38, 18)), "
        f"  CAST(ledger.balance AS DECIMAL(38, 18)), ledger.currency, config.net.wifi.ssid, calibration, dt, HH "
        f"FROM {source}").fetchall()
    assert len(rows) == RECORDS
    decimals = 0
    for (event_id, event_name, seq, deleted, ttl, pk, sk, device_name, note, online, labels,
         amount_text, amount_dec, balance_dec, currency, ssid, calibration, dt, hh) in rows:
        want = expected[event_id]
        image = want["image"]
        where = f"row {event_id}"
        assert (event_name, seq, deleted, ttl, dt, hh) == tuple(
            want[k] for k in ("_eventName", "_seq", "is_deleted", "_ttlDelete", "dt", "HH")), where
        for name, got in (("pk", pk), ("sk", sk), ("device_name", device_name), ("note", note),
                          ("online", online), ("labels", labels)):
            assert got == value_at(image, name), f"{where}: {name} {got!r}"
        text = n_text(image, "precise_amount")
        if text is None:
            assert amount_text is None and amount_dec is None
        else:
            assert amount_text == text, f"{where}: precise_amount text {amount_text!r} != {text}"
            assert amount_dec == Decimal(text), f"{where}: precise_amount as DECIMAL(38,18) {amount_dec} != {text}"
            decimals += 1
        balance = n_text(image, "ledger", "balance")
        assert (balance_dec is None) if balance is None else balance_dec == Decimal(balance), f"{where}: ledger.balance"
        assert currency == value_at(image, "ledger", "currency"), where
        assert ssid == (value_at(image, "config", "net", "wifi", "ssid")), f"{where}: config.net.wifi.ssid"
        cal = n_text(image, "calibration")
        assert calibration == cal and (cal is None or Decimal(calibration) == Decimal(cal)), f"{where}: calibration"
    assert decimals > 2000


def test_duckdb_reads_the_exact_run(data, duck):
    expected = data["expected"]
    source = check_common_duck(duck, data["sinks"]["exact"], expected)
    rows = duck.sql(f"SELECT _eventId, pk, sk, note, online, version, _approxStreamTs FROM {source}").fetchall()
    for event_id, pk, sk, note, online, version, approx in rows:
        want = expected[event_id]
        image = want["image"]
        assert (pk, sk, note, online) == tuple(value_at(image, n) for n in ("pk", "sk", "note", "online")), event_id
        assert version == value_at(image, "version"), event_id
        assert approx == want["_approxStreamTs"], event_id
