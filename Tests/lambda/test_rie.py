"""The packaged `bootstrap` as a Lambda function, under the AWS Lambda Runtime Interface Emulator,
writing to a strict S3 (OpenStack Swift's s3api) -- the issue's proof of the custom runtime.

What "the same objects" means here. An invocation gets one event and must make everything it
consumed durable before it answers, so it can never batch across events; `ddbcdc run` over a whole
file does. The byte-for-byte oracle is therefore `ddbcdc run` over each event on its own, with the
function's batching (MAX_RECORDS = --max-records, everything flushed at the end, --max-seconds 0):
the bucket must hold exactly those keys with exactly those bytes, nothing else. Because that
oracle shares the batching idea with the handler, a second, batching-independent check compares
the multiset of rows in the bucket with the rows of one `ddbcdc run` over the whole file: every
record's row once, the same bytes per row, in the same dt=/HH= partition.

Failures: the handler's answer must name exactly the records whose object did not land (a superset
would only cost a retry, a subset would lose data: both are failures here), every record it does
not name must have its row in the bucket, and re-invoking with the tail from the lowest failed
sequence number -- what Lambda does with ReportBatchItemFailures -- must leave the oracle's objects
and nothing else (a retry rewrites the same keys with the same bytes: no duplicate objects).

    scripts/package-lambda.sh && swift build && .venv/bin/python -m pytest Tests/lambda -q
"""
import gzip
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pyarrow
import pyarrow.parquet
import pytest

from conftest import event_lines, free_port

PREFIX = "cdc/fleet-devices"


# -- events ------------------------------------------------------------------------------------

def raw_records(event):
    """The records of a `{"Records":[...]}` event as their exact bytes (numbers and escapes as sent)."""
    text = event.decode() if isinstance(event, bytes) else event
    decoder = json.JSONDecoder()
    start = text.index("[", text.index('"Records"')) + 1
    records, index = [], start
    while True:
        while text[index] in " \n\t\r,":
            index += 1
        if text[index] == "]":
            return records
        _, end = decoder.raw_decode(text, index)
        records.append(text[index:end])
        index = end


def make_event(records):
    return ('{"Records":[' + ",".join(records) + "]}").encode()


def sequence(record):
    return json.loads(record)["dynamodb"]["SequenceNumber"]


def tail_from_lowest(records, failures):
    """What Lambda sends next after a partial batch response: the records from the lowest failed
    sequence number on (compared as integers: the numbers have unequal lengths)."""
    lowest = min(int(f) for f in failures)
    return [r for r in records if int(sequence(r)) >= lowest]


# -- objects ----------------------------------------------------------------------------------

def rows_by_object(objects):
    """{key: [row lines]} for the data objects (.ndjson.gz)."""
    # Split on \n only: rows may hold U+2028, U+0085 and the like raw, which str.splitlines() would split on.
    return {key: [line.decode() for line in gzip.decompress(body).split(b"\n") if line]
            for key, body in objects.items() if key.endswith(".ndjson.gz")}


def event_ids(objects):
    """Counter of _eventId over every row of every data object."""
    ids = Counter()
    for rows in rows_by_object(objects).values():
        for row in rows:
            ids[json.loads(row)["_eventId"]] += 1
    return ids


def sequences_in(objects):
    """The stream sequence numbers (as integers) of every row of the given data objects."""
    found = set()
    for rows in rows_by_object(objects).values():
        for row in rows:
            found.add(int(json.loads(row)["_seq"].split("-")[1]))
    return found


def partitioned_rows(objects):
    """Counter of (dt=/HH= folder, row line): rows and where they landed, batching aside."""
    rows = Counter()
    for key, lines in rows_by_object(objects).items():
        folder = "/".join(key.split("/")[-3:-1])
        rows.update((folder, line) for line in lines)
    return rows


def describe_difference(got, want):
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    changed = sorted(k for k in set(got) & set(want) if got[k] != want[k])
    return f"missing {missing[:5]} ({len(missing)}), unexpected {extra[:5]} ({len(extra)}), different bytes {changed[:5]} ({len(changed)})"


def invoke_ok(em, event):
    response = em.invoke(event)
    assert response.status == 200, f"{response.status} {response.body[:500]!r}\n{em.log_text()[-3000:]}"
    return response


# -- the main property -------------------------------------------------------------------------

@pytest.mark.parametrize("max_records", [2000, 64])
def test_invocations_land_exactly_the_objects_of_ddbcdc_run(s3, emulator, generated, run_oracle, max_records):
    events = event_lines(generated(2000, 200, 5))
    assert len(events) == 10
    bucket = s3.new_bucket("rie")
    em = emulator(s3.function_env(bucket, PREFIX, MAX_RECORDS=max_records))
    for event in events:
        response = invoke_ok(em, event)
        assert response.failures() == [], f"a healthy S3 must take every record: {response.body[:300]!r}"
    landed = s3.objects(bucket)

    oracle = run_oracle(events, PREFIX, max_records=max_records)
    assert landed == oracle, describe_difference(landed, oracle)
    assert all(re.fullmatch(re.escape(PREFIX) + r"/dt=\d{4}-\d\d-\d\d/HH=\d\d/[0-9_-]+_[0-9a-f]{16}_fleet-devices\.ndjson\.gz", k) for k in landed), sorted(landed)[:3]

    # Batching aside: the same rows, once each, in the same partitions as one run over the whole file.
    whole = run_oracle(events, PREFIX, max_records=max_records, whole=True)
    assert partitioned_rows(landed) == partitioned_rows(whole)
    ids = event_ids(landed)
    assert len(ids) == 2000 and set(ids.values()) == {1}


@pytest.mark.parametrize("typed", [False, True], ids=["packed", "typed"])
def test_parquet_invocations_land_exactly_the_objects_of_ddbcdc_run(s3, emulator, generated, run_oracle, ddbcdc, tmp_path, typed):
    """DDBCDC_FORMAT=parquet (as `emit-infra --format parquet` sets it), with DDBCDC_SCHEMA a file
    for the typed layout: the function writes byte for byte the Parquet objects `run --format
    parquet` writes, and pyarrow validates every one."""
    events = event_lines(generated(600, 200, 7))
    env, extra = {"DDBCDC_FORMAT": "parquet", "DDBCDC_PARQUET_COMPRESSION": "zstd"}, ["--format", "parquet", "--parquet-compression", "zstd"]
    if typed:
        rows = subprocess.run([str(ddbcdc), "transform", "--ingest-ts", "none"], input=b"\n".join(events), capture_output=True, check=True).stdout
        schema = subprocess.run([str(ddbcdc), "schema", "--input", "-", "--format", "json"], input=rows, capture_output=True, check=True).stdout
        (tmp_path / "schema.json").write_bytes(schema)
        env["DDBCDC_SCHEMA"] = str(tmp_path / "schema.json")
        extra += ["--schema", tmp_path / "schema.json"]
    bucket = s3.new_bucket("rie-parquet")
    em = emulator(s3.function_env(bucket, PREFIX, **env))
    for event in events:
        assert invoke_ok(em, event).failures() == []
    landed = s3.objects(bucket)
    assert landed and all(k.endswith(".parquet") for k in landed), sorted(landed)[:3]
    oracle = run_oracle(events, PREFIX, extra=extra)
    assert landed == oracle, describe_difference(landed, oracle)
    rows = 0
    for data in landed.values():
        table = pyarrow.parquet.read_table(pyarrow.BufferReader(data))
        table.validate(full=True)
        assert table.schema.metadata[b"ddbcdc.layout"] == (b"typed" if typed else b"packed")
        rows += table.num_rows
    assert rows == 600


# -- S3 failing --------------------------------------------------------------------------------

def test_unreachable_s3_reports_every_record_and_the_retry_completes_the_set(s3, emulator, generated, run_oracle):
    events = event_lines(generated(2000, 200, 5))
    event = events[4]
    records = raw_records(event)
    bucket = s3.new_bucket("rie-down")
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    down = emulator(s3.function_env(bucket, PREFIX, endpoint=closed, MAX_RECORDS=64, DDBCDC_MAX_ATTEMPTS=2))
    response = invoke_ok(down, event)
    failures = response.failures()
    assert sorted(failures) == sorted(sequence(r) for r in records), "every record's object failed: every record is named"
    assert len(failures) == len(set(failures))
    assert s3.objects(bucket) == {}
    down.stop()

    up = emulator(s3.function_env(bucket, PREFIX, MAX_RECORDS=64))
    tail = tail_from_lowest(records, failures)
    assert tail == records
    assert invoke_ok(up, make_event(tail)).failures() == []
    oracle = run_oracle([event], PREFIX, max_records=64)
    landed = s3.objects(bucket)
    assert landed == oracle, describe_difference(landed, oracle)


@pytest.mark.parametrize("action", ["500", "reset", "drop-response"])
def test_an_object_failing_mid_batch_is_reported_and_the_tail_completes_without_duplicates(
        s3, emulator, fault_proxy, generated, run_oracle, action):
    events = event_lines(generated(2000, 200, 5))
    event = events[6]
    records = raw_records(event)
    oracle = run_oracle([event], PREFIX, max_records=64)
    data_keys = sorted(oracle, key=lambda k: min(sequences_in({k: oracle[k]})))
    assert len(data_keys) >= 4, "MAX_RECORDS=64 splits a 200-record event into several objects"
    victim = data_keys[1]
    bucket = s3.new_bucket("rie-fault")
    proxy = fault_proxy(s3, {"rules": [{"op": "put", "path": re.escape(f"/{bucket}/{victim}") + "$", "action": action}]})
    em = emulator(s3.function_env(bucket, PREFIX, endpoint=proxy.endpoint, MAX_RECORDS=64, DDBCDC_MAX_ATTEMPTS=2))

    failures = invoke_ok(em, event).failures()
    victim_sequences = sequences_in({victim: oracle[victim]})
    assert {int(f) for f in failures} == victim_sequences, "exactly the records of the object that did not land"
    assert set(failures) <= {sequence(r) for r in records}, "itemIdentifier is the record's SequenceNumber as sent"
    landed = s3.objects(bucket)
    # Nothing claimed that is not durable: every record not named has its row in the bucket.
    claimed = {int(sequence(r)) for r in records} - {int(f) for f in failures}
    assert claimed <= sequences_in(landed)
    for key, body in landed.items():
        assert oracle.get(key) == body, f"{key}: an object that landed is the oracle's, byte for byte"
    if action != "drop-response":
        assert victim not in landed

    proxy.set_plan({})
    tail = tail_from_lowest(records, failures)
    assert len(tail) < len(records)
    assert invoke_ok(em, make_event(tail)).failures() == []
    landed = s3.objects(bucket)
    assert landed == oracle, describe_difference(landed, oracle)
    assert set(event_ids(landed).values()) == {1}


def test_uploads_still_pending_at_the_deadline_are_reported(s3, emulator, fault_proxy, generated, run_oracle):
    events = event_lines(generated(2000, 200, 5))
    event = events[2]
    records = raw_records(event)
    oracle = run_oracle([event], PREFIX, max_records=64)
    victim = sorted(oracle, key=lambda k: min(sequences_in({k: oracle[k]})))[2]
    bucket = s3.new_bucket("rie-deadline")
    proxy = fault_proxy(s3, {"rules": [{"op": "put", "path": re.escape(f"/{bucket}/{victim}") + "$", "action": "stall", "seconds": 30}]})
    em = emulator(s3.function_env(bucket, PREFIX, endpoint=proxy.endpoint, MAX_RECORDS=64,
                                  AWS_LAMBDA_FUNCTION_TIMEOUT=6, DDBCDC_DEADLINE_MARGIN_MS=1500))
    response = invoke_ok(em, event)
    assert response.seconds < 6, "answered before the function's timeout"
    failures = response.failures()
    assert {int(f) for f in failures} == sequences_in({victim: oracle[victim]})
    pid = em.runtime_pids()

    proxy.set_plan({})
    assert invoke_ok(em, make_event(tail_from_lowest(records, failures))).failures() == []
    assert s3.objects(bucket) == oracle
    assert em.runtime_pids() == pid, "the same runtime process served both invocations"


# -- bad input and configuration ----------------------------------------------------------------

GOOD = ('{"eventID":"good-%d","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",'
        '"dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"k%d"}},"NewImage":{"pk":{"S":"k%d"},'
        '"n":{"N":"12.50"}},"SequenceNumber":"%d","SizeBytes":30,"StreamViewType":"NEW_AND_OLD_IMAGES"}}')
KINESIS = ('{"eventID":"shardId-000000000006:49590338271490256608559692538361571095921575989136588898",'
           '"eventSource":"aws:kinesis","eventName":"aws:kinesis:record","eventVersion":"1.0","awsRegion":"us-east-1",'
           '"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"1","sequenceNumber":'
           '"49590338271490256608559692538361571095921575989136588898","data":"SGVsbG8=","approximateArrivalTimestamp":1545084650.987}}')
BAD_TAG = ('{"eventID":"bad-tag","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225600,'
           '"Keys":{"pk":{"X":"a"}},"NewImage":{"pk":{"X":"a"}},"SequenceNumber":"300000000000000000001"}}')


def good(n):
    return GOOD % (n, n, n, 100000000000000000000 + n)


def error_lines(objects):
    return [json.loads(line) for key, body in objects.items() if "/_errors/" in key for line in body.split(b"\n") if line]


def test_bad_input_is_set_aside_and_the_runtime_keeps_serving(s3, emulator):
    """The documented behaviour (LambdaCommand, StreamsHandler): a record that cannot become a row
    goes, raw and with its error, to <prefix>/_errors/, and the invocation succeeds for it -- no
    retry could fix it, and reporting it would block the shard; an empty batch writes nothing."""
    bucket = s3.new_bucket("rie-bad")
    em = emulator(s3.function_env(bucket, PREFIX))
    invoke_ok(em, make_event([good(0)]))
    pids = em.runtime_pids()
    assert len(pids) == 1

    # An empty batch: nothing to write, nothing failed -- and nothing to wait for. (The bound is
    # loose on purpose: it only tells "answered" from "sat until the deadline", 60 s here.)
    response = invoke_ok(em, b'{"Records":[]}')
    assert response.failures() == []
    assert len(s3.objects(bucket)) == 1
    assert response.seconds < 20, f"an empty batch took {response.seconds:.1f} s: the handler waited for its deadline"

    # A record of another source and one that cannot be decoded, among good ones: the good rows
    # land, the bad records go whole to <prefix>/_errors/, and the batch succeeds.
    before = set(s3.objects(bucket))
    response = invoke_ok(em, make_event([good(1), KINESIS, BAD_TAG, good(2)]))
    assert response.failures() == []
    landed = s3.objects(bucket)
    new = {k: v for k, v in landed.items() if k not in before}
    assert event_ids(new) == Counter({"good-1": 1, "good-2": 1})
    errors = error_lines(new)
    assert sorted((e["code"], e["eventID"]) for e in errors) == sorted([("unsupported-record", KINESIS_ID), ("unknown-type-tag", "bad-tag")])
    assert [e["record"] for e in errors if e["eventID"] == "bad-tag"] == [json.loads(BAD_TAG)], "the record, whole"
    assert [k for k in new if not k.endswith(".ndjson.gz")] and all(
        k.startswith(PREFIX + "/_errors/") for k in new if not k.endswith(".ndjson.gz"))

    # Bodies that are not a DynamoDB Streams event at all: set aside as they came, success.
    for body in [b"not json at all", b'{"Records": "oops"}', b"{}", b'{"Records":[{"eventID":"x"', b"\xff\xfe\x00garbage", b"[]"]:
        before = set(s3.objects(bucket))
        response = em.invoke(body)
        assert response.status == 200, f"{body!r}: {response.status} {response.body[:300]!r}"
        assert response.failures() == [], f"{body!r}: {response.body[:300]!r}"
        new = {k: v for k, v in s3.objects(bucket).items() if k not in before}
        if body == b"[]":
            assert new == {}, "an empty array of records is an empty batch"
            continue
        assert len(new) == 1 and next(iter(new)).startswith(PREFIX + "/_errors/"), f"{body!r}: {sorted(new)}"
        lines = error_lines(new)
        assert lines and all(e["code"] and e["message"] and ("record" in e or "rawBase64" in e) for e in lines), lines

    # ... and the same runtime process goes on serving.
    assert invoke_ok(em, make_event([good(3)])).failures() == []
    assert event_ids(s3.objects(bucket))["good-3"] == 1
    assert em.runtime_pids() == pids, "the runtime was not restarted"


KINESIS_ID = json.loads(KINESIS)["eventID"]


def test_a_missing_bucket_is_an_init_error_naming_S3_BUCKET(s3, emulator):
    env = s3.function_env("unused", PREFIX)
    env["S3_BUCKET"] = None  # removed from the function's environment
    em = emulator(env)
    for _ in range(2):  # Lambda initialises again for the next invocation: the same answer
        response = em.invoke(make_event([good(0)]))
        assert response.status != 200
        error = response.json
        assert error["errorType"] == "Runtime.InvalidConfiguration", error
        assert "S3_BUCKET is not set" in error["errorMessage"], error
    assert "S3_BUCKET is not set" in em.log_text(), "the init error is logged too"


def test_an_unreadable_ca_bundle_is_an_init_error_naming_AWS_CA_BUNDLE(s3, emulator, tmp_path):
    env = s3.function_env("unused", PREFIX)
    env["AWS_CA_BUNDLE"] = str(tmp_path / "missing-ca.pem")
    response = emulator(env).invoke(make_event([good(0)]))
    assert response.status != 200
    error = response.json
    assert error["errorType"] == "Runtime.InvalidConfiguration", error
    assert "AWS_CA_BUNDLE" in error["errorMessage"] and "missing-ca.pem" in error["errorMessage"], error
