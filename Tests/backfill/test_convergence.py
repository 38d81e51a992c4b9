"""Convergence of a backfill with the stream: the issue's main proof.

A model table (Tests/spark/workload.py's items: keys pk + sk, strings, exact numbers, maps, lists,
string sets) lives through one timeline, whole in this file and seeded:

    t0 ........ stream on ........ exportTime − 5 min ..... exportTime ........ end
    items written, updated          writes (stream records, the export may or may not see
    and deleted (no stream)         them: it holds the table as it is at exportTime)

  * the stream: every write from the moment the stream is on, as Lambda events (NDJSON), with
    ApproximateCreationDateTime rounded down to the second and increasing SequenceNumbers
    (the record shape of scripts/gen_events.py): INSERT / MODIFY with NewImage (and OldImage),
    REMOVE with Keys and OldImage;
  * the export: the items live at exportTime, a full export by scripts/gen_export.py.

`ddbcdc run` lands the stream and `ddbcdc backfill` (default overlap, 5 minutes) the export into
one sink; then the generated MERGE (ddbcdc emit-notebook's merge_plan.json, soft deletes) runs on
DuckDB and on delta-rs over the objects -- shuffled, a fifth of them delivered twice, half of the
ones holding tombstones held back to the end, in micro-batches of 1 to 5, and (second order) the
backfill's objects all after the stream's -- and the table equals the model's final state, deletes
included.

The negative: the stream comes on AFTER the export. The writes between exportTime and the stream's
start are in neither the export nor the stream, so every key whose last write falls there is
stale in the table (deleted keys still live, new keys missing, updated keys old) -- exactly those,
computed from the model -- which is why the documentation asks to enable the stream first.

And the overlap's reason: with every ApproximateCreationDateTime 40 s before its write, the default
overlap (5 minutes) still converges; `--overlap 0s` leaves exactly the exported keys whose last
write came in the 40 s after exportTime with the export's older image.
"""
import json
import random

import pytest

import gen_export
from conftest import read_object, sink_objects
from engines import DeltaEngine, DuckDBEngine, arrow_schema, normalized
from workload import _image, plain

KEYS = ("pk", "sk")
METADATA = {"_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete", "_rescued_data"}
T0 = gen_export.EPOCH0 + 3 * 86400 + 3000  # 2026-01-04T00:50:00Z: the timeline crosses two hours
ARN = "arn:aws:dynamodb:eu-west-1:210987654321:table/fleet/stream/2026-01-01T00:00:00.000"


def timeline(seed, keys=36, writes=700):
    """Writes in time order: (time in seconds with a fraction, key, "INSERT"|"MODIFY"|"REMOVE", image or None).
    About 2.6 s apart: 700 writes span ~30 minutes."""
    rng = random.Random(seed)
    pool = [(f"DEV#{i:03d}", f"STATE#{rng.choice(['Zürich', 'Kraków', '東京'])}#{i}") for i in range(keys)]
    live, version, out = {}, {}, []
    t = float(T0)
    for _ in range(writes):
        t += rng.uniform(0.2, 5.0)
        key = rng.choice(pool)
        version[key] = version.get(key, 0) + 1
        if key not in live:
            image = _image(rng, key, version[key])
            out.append((t, key, "INSERT", image, None))
            live[key] = image
        elif rng.random() < 0.72:
            image = _image(rng, key, version[key])
            out.append((t, key, "MODIFY", image, live[key]))
            live[key] = image
        else:
            out.append((t, key, "REMOVE", None, live.pop(key)))
    return out, pool


def state_at(writes, until):
    """The table after every write before `until` (seconds)."""
    live = {}
    for t, key, kind, image, _ in writes:
        if t >= until:
            break
        if kind == "REMOVE":
            live.pop(key, None)
        else:
            live[key] = image
    return live


def stream_records(writes, stream_on, seed, lag=0):
    """Stream records of the writes from `stream_on` on; ApproximateCreationDateTime is the write's
    time minus `lag` seconds (the approximation), rounded down to the second."""
    rng = random.Random(seed * 13 + 1)
    sequence = 5 * 10**20 + rng.getrandbits(40)
    records = []
    for t, key, kind, image, old in writes:
        sequence += rng.randint(1, 10**7)
        if t < stream_on:
            continue
        ddb = {"ApproximateCreationDateTime": int(t - lag), "Keys": {"pk": {"S": key[0]}, "sk": {"S": key[1]}},
               "SequenceNumber": str(sequence), "SizeBytes": 120, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        if image is not None:
            ddb["NewImage"] = image
        if old is not None:
            ddb["OldImage"] = old
        records.append({"eventID": f"{rng.getrandbits(128):032x}", "eventName": kind, "eventVersion": "1.1",
                        "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1", "eventSourceARN": ARN, "dynamodb": ddb})
    return records


def land(ddbcdc, base, writes, stream_on, export_at, lag=0, overlap=None):
    """Stream records through `ddbcdc run` and the export through `ddbcdc backfill`, one sink."""
    records = stream_records(writes, stream_on, seed=3, lag=lag)
    events = base / "events.jsonl"
    with open(events, "w", encoding="utf-8") as handle:
        for i in range(0, len(records), 25):
            handle.write(json.dumps({"Records": records[i:i + 25]}, ensure_ascii=False) + "\n")
    sink = base / "sink"
    ddbcdc("run", "--input", events, "--sink", sink, "--quiet", "--max-records", "9", "--max-seconds", "0")
    stream_objects = set(sink_objects(sink))
    export_ms = int(export_at * 1000)
    snapshot = state_at(writes, export_at)
    report = gen_export.write_full_export(base / "export", list(snapshot.values()), export_ms, seed=4, files=5,
                                          empty_files=1)
    overlap_args = ["--overlap", overlap] if overlap else []
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", "--max-records", "7", *overlap_args, cwd=base)
    files = sink_objects(sink)
    assert not [f for f in files if "_errors" in f.parts], "nothing is set aside"
    backfill_objects = [f for f in files if f not in stream_objects]
    rows = {f: read_object(f) for f in files}
    assert sum(len(rows[f]) for f in backfill_objects) == len(snapshot), "the backfill landed every exported item once"
    return {"files": files, "rows": rows, "backfill": backfill_objects, "stream": sorted(stream_objects),
            "records": records, "snapshot": snapshot, "sink": sink}


def deliveries(files, rows_of, seed, late_files=()):
    """Shuffled files, a fifth of them twice, half the files with tombstones held back to the end
    (late deletes), `late_files` after everything; micro-batches of 1–5 files."""
    rng = random.Random(seed)
    order = list(files) + rng.sample(list(files), len(files) // 5)
    rng.shuffle(order)
    with_tombstones = [f for f in files if any(r["is_deleted"] for r in rows_of[f])]
    late = set(rng.sample(with_tombstones, len(with_tombstones) // 2))
    last = set(late_files)
    order = ([f for f in order if f not in late and f not in last] + [f for f in order if f in late and f not in last]
             + [f for f in order if f in last])
    batches, i = [], 0
    while i < len(order):
        size = rng.randint(1, 5)
        batches.append(order[i:i + size])
        i += size
    return batches


def merge(ddbcdc, landed, base, engine_name, batches, name="table"):
    out = base / f"notebook-{name}"
    ddbcdc("emit-notebook", "--out", out, "--source", "s3://bucket/fleet", "--table", "lake.cdc.fleet", "--keys", "pk,sk")
    plan = json.loads((out / "merge_plan.json").read_text())
    assert plan["delete_mode"] == "soft"
    schema = arrow_schema(json.loads(ddbcdc("schema", "--input", landed["sink"], "--format", "json").stdout))
    engine = (DeltaEngine(plan, schema, base / f"delta-{name}") if engine_name == "delta-rs"
              else DuckDBEngine(plan, schema))
    for batch_id, batch in enumerate(batches):
        engine.apply([r for f in batch for r in landed["rows"][f]], batch_id)
    return engine.rows()


def table_state(rows):
    """key → the item's attributes (metadata and NULL columns left out), for live rows."""
    out, seen = {}, set()
    for row in rows:
        key = (row["pk"], row["sk"])
        assert key not in seen, f"two rows for {key}"
        seen.add(key)
        if not row["is_deleted"]:
            out[key] = normalized({k: v for k, v in row.items() if k not in METADATA and v is not None})
    return out


def model_state(live):
    return {key: normalized({name: plain(av) for name, av in image.items()}) for key, image in live.items()}


@pytest.fixture(scope="module")
def workload():
    writes, pool = timeline(seed=21)
    end = writes[-1][0] + 1
    return {"writes": writes, "pool": pool, "final": state_at(writes, end), "start": writes[0][0], "end": end}


@pytest.mark.parametrize("engine_name", ["duckdb", "delta-rs"])
def test_stream_on_before_the_export_converges_to_the_source(ddbcdc, tmp_path, workload, engine_name):
    writes = workload["writes"]
    stream_on = workload["start"] + 400  # ~150 writes before it never reach the stream
    export_at = stream_on + 900.437  # exportTime − 5 min is well after the stream came on
    during = [w for w in writes if export_at - 300 <= w[0] < export_at]
    after = [w for w in writes if w[0] >= export_at]
    before_stream = [w for w in writes if w[0] < stream_on]
    assert len(before_stream) > 100 and len(during) > 60 and len(after) > 100
    assert any(w[2] == "REMOVE" for w in during) and any(w[2] == "REMOVE" for w in after)
    landed = land(ddbcdc, tmp_path, writes, stream_on, export_at)
    # Stream rows older than the export's snapshot lose to it, stream rows of the overlap and later win.
    export_seq = max(r["_seq"] for f in landed["backfill"] for r in landed["rows"][f])
    stream_seqs = [r["_seq"] for f in landed["stream"] for r in landed["rows"][f]]
    assert any(s < export_seq for s in stream_seqs) and any(s > export_seq for s in stream_seqs)

    want = model_state(workload["final"])
    assert len(want) > 10 and len(workload["pool"]) - len(want) > 3, "live and deleted keys both"
    for order, late in (("shuffled", ()), ("backfill last", landed["backfill"])):
        batches = deliveries(landed["files"], landed["rows"], seed=5, late_files=late)
        got = table_state(merge(ddbcdc, landed, tmp_path, engine_name, batches, name=order.replace(" ", "-")))
        stale = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        assert not stale, f"{order}: {len(stale)} keys differ from the source, e.g. {stale[:3]}"


def test_stream_on_after_the_export_leaves_exactly_the_keys_written_in_between_stale(ddbcdc, tmp_path, workload):
    writes = workload["writes"]
    export_at = workload["end"] - 520.437
    stream_on = export_at + 400  # too late: writes in [exportTime, stream on) reach neither side
    gap = [w for w in writes if export_at <= w[0] < stream_on]
    assert len(gap) > 50
    # The model's answer, without any merge logic: a key is stale when its last write fell in the
    # gap and changed it from what the export saw (an insert and a delete both in the gap change nothing).
    want = model_state(workload["final"])
    exported = model_state(state_at(writes, export_at))
    last_write = {}
    for t, key, *_ in writes:
        last_write[key] = t
    predicted = sorted(k for k, t in last_write.items() if export_at <= t < stream_on and want.get(k) != exported.get(k))
    kinds = {("deleted" if k not in want else "missing" if k not in exported else "old") for k in predicted}
    assert len(predicted) >= 3 and len(kinds) >= 2, f"the workload leaves keys stale in several ways: {kinds}"

    landed = land(ddbcdc, tmp_path, writes, stream_on, export_at)
    got = table_state(merge(ddbcdc, landed, tmp_path, "duckdb", deliveries(landed["files"], landed["rows"], seed=5)))
    stale = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    assert stale == predicted, (f"stale keys: {stale}\npredicted:  {predicted}")
    # And each is stale the way the model says: as the export saw it.
    for key in stale:
        assert got.get(key) == exported.get(key), key


@pytest.mark.parametrize("overlap", [None, "0s"])
def test_the_overlap_absorbs_an_early_approximate_creation_time(ddbcdc, tmp_path, workload, overlap):
    """ApproximateCreationDateTime is approximate: here every stream record's is 40 s before its
    write. With the default overlap (5 minutes) the table still converges. With --overlap 0s, a key
    whose last write came in the 40 s after exportTime keeps the export's older image: that write's
    stream time is before exportTime, so the export row sorts above it -- exactly those keys."""
    lag = 40
    writes = workload["writes"]
    stream_on = workload["start"] + 400
    export_at = workload["end"] - 60.437
    want = model_state(workload["final"])
    exported = model_state(state_at(writes, export_at))
    last_write = {}
    for t, key, *_ in writes:
        last_write[key] = t
    # Losing writes: after exportTime (so not in the export), stream time before the export row's,
    # of a key the export has (a key it lacks has no export row to lose to).
    overlap_s = 300 if overlap is None else 0
    export_row_second = int(export_at - overlap_s)  # its _seq time is this second's start − 1 ms
    predicted = sorted(k for k, t in last_write.items()
                       if k in exported and t >= export_at and int(t - lag) < export_row_second and want.get(k) != exported.get(k))
    if overlap is None:
        assert predicted == []
    else:
        assert len(predicted) >= 3, predicted

    landed = land(ddbcdc, tmp_path, writes, stream_on, export_at, lag=lag, overlap=overlap)
    got = table_state(merge(ddbcdc, landed, tmp_path, "duckdb", deliveries(landed["files"], landed["rows"], seed=7)))
    stale = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    assert stale == predicted, f"stale keys: {stale}\npredicted:  {predicted}"
    for key in stale:
        assert got.get(key) == exported.get(key), key
