"""Fixtures for `ddbcdc stream` against a real moto server (DynamoDB + DynamoDB Streams + S3).

* `moto`: one moto server for the session, started by scripts/peers/moto.sh on a free port of
  127.0.0.1 and stopped by its PID at the end. Every test makes its own table (and bucket).
* `stream`: runs `ddbcdc stream` to its end (`stream.run`) or starts it in the background
  (`stream.start`); every process a test started is SIGKILLed by its PID afterwards if it still runs.
* The workload (`Workload`): puts, updates (update_item with SET / REMOVE / ADD, upserts of absent
  keys), deletes and TTL-like deletes through boto3, over keys whose items carry every type
  (numbers of 38 digits, binary, string / number / binary sets, maps, lists, NULL, booleans).
  The TTL-like deletes are plain DeleteItem calls with a condition on the `expires` attribute, as
  a sweeper would do: moto never expires items itself and never sets the `userIdentity` a TTL
  delete carries on AWS (docs/stream-moto.md), so the stream cannot tell them from other deletes.
* The independent side: `read_stream` reads the table's stream with boto3's dynamodbstreams
  client (DescribeStream, GetShardIterator TRIM_HORIZON, GetRecords to the end), `scan_state`
  reads the table with boto3's Scan, the sink's objects are opened with Python's gzip and json,
  and the final state goes through the MERGE that `ddbcdc emit-notebook` generates, run on DuckDB
  (Tests/spark/engines.py's DuckDBEngine, as Tests/backfill/test_convergence.py runs it).

The binary is $DDBCDC_BIN (default .build/debug/ddbcdc). A missing binary, a moto that does not
start or a missing Python peer fails the tests; nothing here skips.
"""
import base64
import gzip
import importlib.util
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import boto3  # noqa: F401 -- required peers: fail here when missing
import duckdb  # noqa: F401
import pyarrow  # noqa: F401
import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.config import Config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REGION = "us-east-1"
sys.path.append(str(ROOT / "Tests" / "spark"))  # engines.py (after this folder: its conftest is not ours)

from engines import DuckDBEngine, arrow_schema, normalized  # noqa: E402


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Tests/backfill's independent readers of objects and rows (imported under another name: both
# folders' helper modules are called conftest).
backfill = _load("backfill_conftest", ROOT / "Tests" / "backfill" / "conftest.py")
METADATA = backfill.METADATA
PARTITION = backfill.PARTITION


def fail(message):
    pytest.fail(message, pytrace=False)


# --------------------------------------------------------------------------------------------
# moto
# --------------------------------------------------------------------------------------------
@dataclass
class Moto:
    endpoint: str
    directory: Path

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing",
                            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10, read_timeout=60,
                                          s3={"addressing_style": "path"}))


def _script(args, timeout):
    try:
        return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as error:
        fail(f"{' '.join(map(str, args))} did not finish in {timeout} s: {error.stderr}")


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    """Our own moto server, stopped by its PID (scripts/peers/moto.sh stop) at the end."""
    directory = tmp_path_factory.mktemp("moto-stream")
    script = ROOT / "scripts" / "peers" / "moto.sh"
    if not os.access(script, os.X_OK):
        fail(f"{script} is missing or not executable")
    result = _script([script, "start", directory], timeout=300)
    if result.returncode != 0:
        fail(f"moto server did not start (pip install 'moto[server]'; scripts/setup.sh does):\n{result.stdout}\n{result.stderr}")
    try:
        endpoint = None
        for line in (directory / "env").read_text().splitlines():
            if line.startswith("MOTO_ENDPOINT="):
                endpoint = line.split("=", 1)[1].strip()
        assert endpoint, "moto.sh wrote no MOTO_ENDPOINT"
        yield Moto(endpoint, directory)
    finally:
        _script([script, "stop", directory], timeout=60)


_names = iter(range(10**6))


@pytest.fixture
def make_table(moto, request):
    """make_table(stream=True) -> the name of a new table (pk S, sk N) in moto, with a
    NEW_AND_OLD_IMAGES stream unless stream=False. Names are unique in the session."""
    ddb = moto.client("dynamodb")

    def make(stream=True):
        base = re.sub(r"[^A-Za-z0-9]", "", request.node.name)[:40]
        name = f"{base}-{next(_names)}"
        args = dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "sk", "AttributeType": "N"}])
        if stream:
            args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        ddb.create_table(**args)
        return name

    return make


# --------------------------------------------------------------------------------------------
# the workload
# --------------------------------------------------------------------------------------------
CITIES = ["Zürich", "Kraków", "東京", "emoji 🚀", 'quote " d', "back\\slash", "plain"]
SET_ATTRIBUTES = {"tags", "nums", "blobs"}


def _big(rng):
    """A 38-digit integer: every digit matters (a double keeps 15 to 17)."""
    return ("-" if rng.random() < 0.3 else "") + str(rng.randint(10**37, 10**38 - 1))


def _price(rng):
    """34 significant digits, 4 of them after the point."""
    return f"{rng.randint(10**29, 10**30 - 1)}.{rng.randint(0, 9999):04d}"


class Workload:
    """Writes changes to one table with boto3's low-level client, seeded. Counts what it did by kind,
    so a test can check that the workload covers what it claims."""

    def __init__(self, ddb, table, seed, keys):
        self.ddb, self.table = ddb, table
        self.rng = random.Random(seed)
        self.pool = [(f"K#{i:04d}#{self.rng.choice(CITIES)}", i % 7) for i in range(keys)]
        self.live = set()  # keys we believe exist (from our own writes)
        self.expiring = set()  # live keys whose item has an `expires` in the past
        self.version = {}
        self.touched = set()  # keys written at least once
        self.counts = {"put": 0, "overwrite": 0, "update": 0, "upsert": 0, "delete": 0, "ttl_delete": 0}
        self.now = int(time.time())

    @staticmethod
    def key_av(key):
        return {"pk": {"S": key[0]}, "sk": {"N": str(key[1])}}

    def image(self, key):
        rng = self.rng
        self.version[key] = self.version.get(key, 0) + 1
        item = {
            **self.key_av(key),
            "name": {"S": f"{rng.choice(CITIES)} v{self.version[key]}"},
            "big": {"N": _big(rng)},
            "price": {"N": _price(rng)},
            "small": {"N": f"-0.{rng.randint(0, 999999):06d}"},
            "qty": {"N": str(rng.randint(0, 10**6))},
            "blob": {"B": rng.randbytes(rng.randint(1, 24))},
            "active": {"BOOL": rng.random() < 0.5},
            "meta": {"M": {"color": {"S": rng.choice(["red", "grün", "藍"])},
                           "dims": {"L": [{"N": "1.5"}, {"N": str(rng.randint(1, 9))}]},
                           "flags": {"M": {"on": {"BOOL": rng.random() < 0.5}}}}},
            "hist": {"L": [{"S": rng.choice(CITIES)} for _ in range(rng.randint(0, 3))]},
        }
        if rng.random() < 0.6:
            item["tags"] = {"SS": rng.sample(["a", "b", "é", "🚀", "z z"], rng.randint(1, 3))}
        if rng.random() < 0.6:
            item["nums"] = {"NS": [str(n) for n in rng.sample([1, -3, 42, 7, 1000000], rng.randint(1, 3))] + ["1.25"]}
        if rng.random() < 0.5:
            item["blobs"] = {"BS": [bytes([b]) * rng.randint(1, 5) for b in rng.sample(range(256), rng.randint(1, 3))]}
        if rng.random() < 0.4:
            item["gone"] = {"NULL": True}
        if rng.random() < 0.5:
            item["note"] = {"S": rng.choice(CITIES)}  # in some versions only: its removal must clear it
        if rng.random() < 0.3:
            item["expires"] = {"N": str(self.now - rng.randint(60, 86400))}
        return item

    def _put(self, key):
        self.touched.add(key)
        item = self.image(key)
        self.ddb.put_item(TableName=self.table, Item=item)
        self.live.add(key)
        (self.expiring.add if "expires" in item else self.expiring.discard)(key)

    def _update(self, key):
        rng = self.rng
        variant = rng.randrange(3)
        values = {":n": {"S": f"updated {rng.choice(CITIES)}"}, ":p": {"N": _price(rng)}}
        if variant == 0:
            expression = "SET #name = :n, #price = :p REMOVE #note, #blob"
        elif variant == 1:
            expression = "SET #name = :n, #price = :p, #big = :b, #meta.#color = :c ADD #qty :d"
            values.update({":b": {"N": _big(rng)}, ":c": {"S": rng.choice(["blau", "黒"])}, ":d": {"N": str(rng.randint(1, 99))}})
        else:
            expression = "SET #name = :n, #price = :p, #gone = :null, #hist = list_append(#hist, :h) REMOVE #tags"
            values.update({":null": {"NULL": True}, ":h": {"L": [{"S": "appended"}]}})
        if key not in self.live:
            # An update of an absent key creates it (an INSERT on the stream) with only what the
            # expression sets (a map and a list too, for later updates to change).
            expression = "SET #name = :n, #price = :p, #big = :b, #meta = :m, #hist = :h"
            values = {":n": values[":n"], ":p": values[":p"], ":b": {"N": _big(rng)},
                      ":m": {"M": {"color": {"S": "new"}}}, ":h": {"L": []}}
            self.counts["upsert"] += 1
        else:
            self.counts["update"] += 1
        self.touched.add(key)
        # Every attribute through a placeholder: name, blob, … are reserved words.
        names = {f"#{n}": n for n in re.findall(r"#(\w+)", expression)}
        self.ddb.update_item(TableName=self.table, Key=self.key_av(key), UpdateExpression=expression,
                             ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        self.live.add(key)

    def _delete(self, key):
        self.touched.add(key)
        self.ddb.delete_item(TableName=self.table, Key=self.key_av(key))
        self.live.discard(key)
        self.expiring.discard(key)

    def _ttl_delete(self, key):
        self.touched.add(key)
        # What DynamoDB's TTL sweeper does, as a plain conditional delete (see the module's docstring).
        self.ddb.delete_item(TableName=self.table, Key=self.key_av(key), ConditionExpression="#expires < :now",
                             ExpressionAttributeNames={"#expires": "expires"}, ExpressionAttributeValues={":now": {"N": str(self.now)}})
        self.live.discard(key)
        self.expiring.discard(key)

    def step(self):
        rng = self.rng
        key = rng.choice(self.pool)
        r = rng.random()
        if self.expiring and r < 0.12:
            self._ttl_delete(rng.choice(sorted(self.expiring)))
            self.counts["ttl_delete"] += 1
        elif key not in self.live:
            if r < 0.2:
                self._update(key)
            else:
                self._put(key)
                self.counts["put"] += 1
        elif r < 0.4:
            self._put(key)
            self.counts["overwrite"] += 1
        elif r < 0.75:
            self._update(key)
        else:
            self._delete(key)
            self.counts["delete"] += 1

    @property
    def stream_records(self):
        """The records moto writes for what this workload did: one per change, and a second
        INSERT for each update of an absent key (moto first puts the bare key, then updates it;
        AWS writes one: docs/stream-moto.md)."""
        return sum(self.counts.values()) + self.counts["upsert"]

    def populate(self, count):
        """Puts `count` keys that are not live yet, 25 to a BatchWriteItem call (one INSERT each):
        fewer requests than one PutItem each, which keeps the suite fast."""
        keys = [k for k in self.pool if k not in self.live][:count]
        assert len(keys) == count, f"only {len(keys)} keys are free"
        for i in range(0, count, 25):
            requests = []
            for key in keys[i:i + 25]:
                item = self.image(key)
                requests.append({"PutRequest": {"Item": item}})
                self.touched.add(key)
                self.live.add(key)
                if "expires" in item:
                    self.expiring.add(key)
            unprocessed = self.ddb.batch_write_item(RequestItems={self.table: requests}).get("UnprocessedItems")
            assert not unprocessed, unprocessed
        self.counts["put"] += count
        return self

    def run(self, changes):
        for _ in range(changes):
            self.step()
        return self


# --------------------------------------------------------------------------------------------
# the independent side: the stream and the table as boto3 reads them
# --------------------------------------------------------------------------------------------
DESERIALIZER = TypeDeserializer()


def stream_arn(moto, table):
    return moto.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]


def read_stream(moto, table):
    """Every record of the table's stream, in shard order, read with boto3's dynamodbstreams client:
    DescribeStream (following LastEvaluatedShardId), per shard GetShardIterator TRIM_HORIZON, then
    GetRecords until a page comes back empty (moto's shard never closes: an empty page is its end)
    or NextShardIterator is absent (a closed shard's end)."""
    streams = moto.client("dynamodbstreams")
    arn = stream_arn(moto, table)
    shards, start = [], None
    while True:
        page = streams.describe_stream(StreamArn=arn, **({"ExclusiveStartShardId": start} if start else {}))["StreamDescription"]
        shards.extend(page["Shards"])
        start = page.get("LastEvaluatedShardId")
        if not start:
            break
    records = []
    for shard in shards:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            for record in page["Records"]:
                record["shardId"] = shard["ShardId"]
            records.extend(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    ids = [r["eventID"] for r in records]
    assert len(ids) == len(set(ids)), "the stream repeats an eventID"
    return records


def deserialize(image):
    return {name: DESERIALIZER.deserialize(value) for name, value in image.items()}


def row_value(value):
    """A deserialized item value in the form a row holds after the MERGE: numbers as Decimal,
    binaries as base64 text, sets as sorted lists (compared as sets: see `comparable`)."""
    if isinstance(value, Binary):
        return base64.b64encode(bytes(value.value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return sorted(row_value(v) for v in value)
    if isinstance(value, dict):
        return {k: row_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [row_value(v) for v in value]
    return value


def comparable(item):
    """An item (row form) for comparison: normalized numbers, no NULL members, sets sorted."""
    out = normalized({k: v for k, v in item.items() if v is not None})
    for name in SET_ATTRIBUTES & set(out):
        out[name] = sorted(out[name])
    return out


def item_key(item):
    return (item["pk"], Decimal(item["sk"]).normalize())


def scan_state(moto, table):
    """The table's items as boto3's Scan reads them: key → comparable item."""
    ddb = moto.client("dynamodb")
    out, start = {}, None
    while True:
        page = ddb.scan(TableName=table, ConsistentRead=True, **({"ExclusiveStartKey": start} if start else {}))
        for raw in page["Items"]:
            item = {k: row_value(v) for k, v in deserialize(raw).items()}
            out[item_key(item)] = comparable(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return out


# --------------------------------------------------------------------------------------------
# the sink side
# --------------------------------------------------------------------------------------------
def read_gzip_rows(data):
    return [json.loads(line, parse_float=Decimal, parse_int=Decimal)
            for line in gzip.decompress(data).decode("utf-8").split("\n") if line]


def check_layout(names):
    """Every name (relative to the sink's prefix) is a data object under dt=/HH=, or the
    checkpoint and its lock under _checkpoints/; nothing set aside (_errors) or lost (_gaps)."""
    data = []
    for name in names:
        if name.startswith("_checkpoints/"):
            continue
        assert not name.startswith(("_errors/", "_gaps/")), f"{name}: records set aside or a gap in a clean run"
        assert PARTITION.search(name), f"{name}: not an object under dt=/HH="
        data.append(name)
    return data


def dir_objects(sink):
    """{name relative to the sink: its bytes} of a directory sink's data objects (the hidden temporaries
    of a killed run, `.<name>.tmp`, left out as Spark and Auto Loader leave them out)."""
    sink = Path(sink)
    if not sink.exists():
        return {}
    names = sorted(p.relative_to(sink).as_posix() for p in sink.rglob("*") if p.is_file() and not p.name.startswith("."))
    return {name: (sink / name).read_bytes() for name in check_layout(names)}


def s3_objects(moto, bucket, prefix):
    s3 = moto.client("s3")
    names = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        names.extend(o["Key"][len(prefix) + 1:] for o in page.get("Contents", []))
    return {name: s3.get_object(Bucket=bucket, Key=f"{prefix}/{name}")["Body"].read() for name in check_layout(sorted(names))}


def read_rows(name, data):
    return backfill.read_packed_parquet_rows(data) if name.endswith(".parquet") else read_gzip_rows(data)


def parsed(objects):
    """{name: rows} of {name: bytes}."""
    return {name: read_rows(name, data) for name, data in objects.items()}


def rows_of(objects):
    return [row for name in sorted(objects) for row in read_rows(name, objects[name])]


def event_counts(rows):
    counts = {}
    for row in rows:
        counts[row["_eventId"]] = counts.get(row["_eventId"], 0) + 1
    return counts


def check_rows_match_records(objects, records):
    """Every row is the row of a record boto3 read from the stream: its eventID, the event name,
    is_deleted, `_ttlDelete`, the `_seq` (the record's SequenceNumber, 40 digits, after its creation
    time in ms) and `_approxStreamTs`, the partition of that time, and the item (NewImage, or Keys for a REMOVE) value for value as
    boto3's TypeDeserializer reads it (Tests/backfill/conftest.py's `mismatch`)."""
    by_id = {r["eventID"]: r for r in records}
    for name, rows in parsed(objects).items():
        for row in rows:
            record = by_id.get(row.get("_eventId"))
            assert record is not None, f"{name}: a row with an _eventId not in the stream: {row.get('_eventId')!r}"
            where = f"{name}: {record['eventID']}"
            ddb = record["dynamodb"]
            assert row["_eventName"] == record["eventName"], where
            assert row["is_deleted"] is (record["eventName"] == "REMOVE"), where
            seq = row["_seq"]
            assert re.fullmatch(r"\d{13}-\d{40}", seq), f"{where}: _seq {seq!r}"
            assert int(seq[14:]) == int(ddb["SequenceNumber"]), f"{where}: _seq {seq} for SequenceNumber {ddb['SequenceNumber']}"
            # moto's times have whole milliseconds (docs/stream-moto.md): boto3's datetime rounds back to them.
            created_ms = round(ddb["ApproximateCreationDateTime"].timestamp() * 1000)
            assert int(seq[:13]) == created_ms, f"{where}: _seq {seq} for creation time {ddb['ApproximateCreationDateTime']}"
            assert row["_approxStreamTs"] == created_ms, f"{where}: _approxStreamTs {row['_approxStreamTs']}, not {created_ms}"
            # moto never marks a delete as TTL's (no userIdentity): no row may claim it.
            assert row["_ttlDelete"] is False, f"{where}: _ttlDelete {row['_ttlDelete']!r}"
            dt, hh = backfill.partition_of_seq(seq)
            assert f"dt={dt}/HH={hh}/" in name, f"{where}: in {name}, its _seq says dt={dt}/HH={hh}"
            image = ddb["Keys"] if record["eventName"] == "REMOVE" else ddb["NewImage"]
            item = {k: v for k, v in row.items() if k not in METADATA}
            problem = backfill.mismatch(deserialize(image), item)
            assert problem is None, f"{where}: {problem}"


# --------------------------------------------------------------------------------------------
# the MERGE (ddbcdc emit-notebook's plan) on DuckDB
# --------------------------------------------------------------------------------------------
def merged_state(ddbcdc_run, objects, base, seed=5):
    """The target table after the generated MERGE ran on DuckDB over the objects' rows: the
    objects shuffled, in micro-batches of 1 to 4 objects. key → comparable item, live keys only."""
    base = Path(tempfile.mkdtemp(prefix="merge-", dir=base))
    local = base / "input"
    for name, data in objects.items():  # `ddbcdc schema` reads a folder: the objects, as they are
        path = local / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    rows = parsed(objects)
    schema_run = ddbcdc_run("schema", "--input", local, "--format", "json")
    schema = arrow_schema(json.loads(schema_run.stdout))
    notebook = base / "notebook"
    ddbcdc_run("emit-notebook", "--out", notebook, "--source", "s3://bucket/stream", "--table", "lake.cdc.stream",
               "--keys", "pk,sk")
    plan = json.loads((notebook / "merge_plan.json").read_text())
    engine = DuckDBEngine(plan, schema)
    rng = random.Random(seed)
    names = sorted(objects)
    rng.shuffle(names)
    batch_id, i = 0, 0
    while i < len(names):
        size = rng.randint(1, 4)
        engine.apply([r for n in names[i:i + size] for r in rows[n]], batch_id)
        batch_id, i = batch_id + 1, i + size
    out = {}
    for row in engine.rows():
        key = item_key(row)
        assert key not in out, f"two rows for {key}"
        if not row["is_deleted"]:
            out[key] = comparable({k: v for k, v in row.items() if k not in METADATA})
    return out


def check_converges(ddbcdc_run, objects, moto, table, base):
    want = scan_state(moto, table)
    got = merged_state(ddbcdc_run, objects, base)
    differ = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    if differ:
        key = differ[0]
        fail(f"{len(differ)} of {len(set(want) | set(got))} keys differ from the table, e.g. {key}:\n"
             f"table: {want.get(key)}\nMERGE: {got.get(key)}")
    return want


# --------------------------------------------------------------------------------------------
# checkpoints
# --------------------------------------------------------------------------------------------
def checkpoint_positions(document):
    """{shard id: last durable SequenceNumber (int)} of a checkpoint (docs/stream.md, "The
    checkpoint": `{"version": 1, "streamArn", "table", "updatedAt", "shards": {id:
    {"sequenceNumber", "finished", "parent"}}, "gaps"}`). moto's one shard never ends, so none
    may be finished."""
    assert document.get("version") == 1, document
    out = {}
    for shard, mark in document["shards"].items():
        assert mark["finished"] is False, f"{shard}: finished, but moto's shard never ends: {document}"
        if mark.get("sequenceNumber") is not None:
            out[shard] = int(mark["sequenceNumber"])
    return out


# --------------------------------------------------------------------------------------------
# running ddbcdc
# --------------------------------------------------------------------------------------------
def ddbcdc_binary():
    path = Path(os.environ.get("DDBCDC_BIN", ROOT / ".build" / "debug" / "ddbcdc"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        fail(f"ddbcdc binary not found at {path}: build it (swift build --product ddbcdc) or set DDBCDC_BIN")
    return path


def clean_env(home):
    """The environment without anything that could steer ddbcdc's settings or credential chain,
    plus moto's placeholder keys."""
    drop = re.compile(r"^(AWS_|S3_|MAX_RECORDS$|MAX_PAYLOAD_BYTES$|MAX_SECONDS$|GZIP_LEVEL$|DDBCDC_)")
    env = {k: v for k, v in os.environ.items() if not drop.match(k)}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"), "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    return env


# Short waits everywhere: moto answers at once, and the suite must stay fast.
FAST = ["--poll-interval", "0.2", "--quiet", "--log-interval", "0"]


@dataclass
class Finished:
    args: list
    returncode: int
    stdout: str
    stderr: str

    def describe(self):
        return f"ddbcdc {' '.join(self.args)}\nexit {self.returncode}\nstderr:\n{self.stderr[-4000:]}"


@dataclass
class Stream:
    binary: Path
    moto: Moto
    env: dict
    workdir: Path
    started: list = field(default_factory=list)

    def args(self, table, sink, *extra, until_caught_up=True, endpoint=None):
        args = ["stream", "--table", table, "--sink", sink, "--endpoint-url", endpoint or self.moto.endpoint,
                "--region", REGION, *FAST]
        if until_caught_up:
            args.append("--until-caught-up")
        return [str(a) for a in [*args, *extra]]

    def run(self, table, sink, *extra, expect=0, endpoint=None, timeout=60):
        """`ddbcdc stream … --until-caught-up` to its end; fails the test unless it exits `expect`."""
        args = self.args(table, sink, *extra, endpoint=endpoint)
        try:
            result = subprocess.run([str(self.binary), *args], capture_output=True, text=True, timeout=timeout,
                                    env=self.env, cwd=self.workdir, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as error:
            fail(f"ddbcdc {' '.join(args)} still ran after {timeout} s (--until-caught-up must end on its own)\n"
                 f"stderr so far: {error.stderr}")
        done = Finished(args, result.returncode, result.stdout, result.stderr)
        if expect is not None and done.returncode != expect:
            fail(f"expected exit {expect}:\n{done.describe()}")
        return done

    def start(self, table, sink, *extra):
        """`ddbcdc stream` (no --until-caught-up) in the background; stderr to a file."""
        args = self.args(table, sink, *extra, until_caught_up=False)
        log = open(self.workdir / f"stream-{len(self.started)}.stderr", "w+")
        process = subprocess.Popen([str(self.binary), *args], stdout=subprocess.DEVNULL, stderr=log, env=self.env,
                                   cwd=self.workdir, stdin=subprocess.DEVNULL)
        process.log, process.args = log, args
        self.started.append(process)
        return process

    @staticmethod
    def stderr(process):
        process.log.flush()
        process.log.seek(0)
        return process.log.read()

    def wait(self, process, timeout=30):
        """The exit status of a process told to stop; fails the test if it does not stop in `timeout`."""
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            fail(f"ddbcdc {' '.join(process.args)} still ran {timeout} s after it was told to stop\n"
                 f"stderr:\n{self.stderr(process)[-3000:]}")

    def cleanup(self):
        for process in self.started:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
            process.log.close()


@pytest.fixture
def stream(moto, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    runner = Stream(ddbcdc_binary(), moto, clean_env(home), tmp_path)
    yield runner
    runner.cleanup()


@pytest.fixture(scope="session")
def ddbcdc_run():
    """Runs another ddbcdc command (schema, emit-notebook) and fails the test on a non-zero exit."""
    binary = ddbcdc_binary()

    def run(*args):
        result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            fail(f"ddbcdc {' '.join(map(str, args))} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result

    return run


def wait_for(condition, what, timeout=30, interval=0.05):
    """Polls `condition` until it is true; fails the test naming `what` (a text, or a function
    giving one at that moment) after `timeout` seconds (generous: a wait, never a measurement)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            fail(f"waited {timeout} s for {what() if callable(what) else what}")
        time.sleep(interval)
