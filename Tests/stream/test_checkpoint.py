"""Checkpoints: a second `--until-caught-up` run reads only what came after the first one's
checkpoint (a local file by default, an S3 object for an S3 sink); `--from trim-horizon` reads
everything again and the MERGE still converges; a re-created stream refuses the old checkpoint;
`--from latest` reads only what comes after the start."""
import json
import os
import signal

from conftest import (Workload, check_converges, check_rows_match_records, checkpoint_positions, dir_objects,
                      event_counts, read_stream, rows_of, s3_objects, stream_arn, wait_for)


def ids(records):
    return {r["eventID"] for r in records}


def check_checkpoint(document, records, where, moto, table):
    """The checkpoint names the stream and the table, the stream's shard and, for it, the last
    SequenceNumber read."""
    assert document["streamArn"] == stream_arn(moto, table) and document["table"] == table, f"{where}: {document}"
    positions = checkpoint_positions(document)
    shards = {r["shardId"] for r in records}
    assert set(positions) == shards, f"{where}: shards {sorted(positions)}, the stream has {sorted(shards)}:\n{document}"
    for shard in shards:
        last = max(int(r["dynamodb"]["SequenceNumber"]) for r in records if r["shardId"] == shard)
        assert positions[shard] == last, f"{where}: {shard} at {positions[shard]}, its last record is {last}"


def test_a_second_run_reads_only_new_changes_and_trim_horizon_reads_all_again(moto, make_table, stream, ddbcdc_run, tmp_path):
    table = make_table()
    workload = Workload(moto.client("dynamodb"), table, seed=23, keys=60).populate(40).run(60)
    sink = tmp_path / "sink"
    stream.run(table, sink, "--max-records", "40")
    first = read_stream(moto, table)
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    assert checkpoint.is_file(), f"no checkpoint at the default place {checkpoint}"
    check_checkpoint(json.loads(checkpoint.read_text()), first, "after the first run", moto, table)
    before = dir_objects(sink)
    assert event_counts(rows_of(before)) == {e: 1 for e in ids(first)}

    workload.run(50)
    second = read_stream(moto, table)
    new = [r for r in second if r["eventID"] not in ids(first)]
    assert len(new) == workload.stream_records - len(first)
    stream.run(table, sink, "--max-records", "40")
    check_checkpoint(json.loads(checkpoint.read_text()), second, "after the second run", moto, table)
    after = dir_objects(sink)
    assert set(before) <= set(after) and all(after[n] == before[n] for n in before), "the first run's objects are kept as they were"
    added = {n: data for n, data in after.items() if n not in before}
    assert event_counts(rows_of(added)) == {e: 1 for e in ids(new)}, "the second run lands the new changes, each once, and nothing older"
    check_rows_match_records(after, second)
    check_converges(ddbcdc_run, after, moto, table, tmp_path)

    # --from trim-horizon ignores the checkpoint: everything again. Into a second sink with the
    # same checkpoint (--checkpoint), so that what it re-read is plain to see: every change once
    # there, and over both sinks (each change twice) the MERGE still converges.
    resink = tmp_path / "resink"
    stream.run(table, resink, "--max-records", "40", "--from", "trim-horizon", "--checkpoint", checkpoint)
    reread = dir_objects(resink)
    assert event_counts(rows_of(reread)) == {e: 1 for e in ids(second)}
    assert not (resink / "_checkpoints").exists(), "--checkpoint PATH is the only checkpoint"
    check_rows_match_records(reread, second)
    check_checkpoint(json.loads(checkpoint.read_text()), second, "after --from trim-horizon", moto, table)
    both = {**{"a/" + n: d for n, d in after.items()}, **{"b/" + n: d for n, d in reread.items()}}
    check_converges(ddbcdc_run, both, moto, table, tmp_path)


def test_s3_sink_checkpoint_is_an_object_and_a_second_run_reads_only_new_changes(moto, make_table, stream, ddbcdc_run, tmp_path):
    table = make_table()
    s3 = moto.client("s3")
    bucket = table.lower().replace("_", "-")[:50] + "-sink"
    s3.create_bucket(Bucket=bucket)
    workload = Workload(moto.client("dynamodb"), table, seed=31, keys=50).populate(30).run(40)
    sink = f"s3://{bucket}/cdc/fleet"
    stream.run(table, sink, "--max-records", "30")
    first = read_stream(moto, table)
    key = f"cdc/fleet/_checkpoints/{table}.stream.json"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="cdc/fleet/_checkpoints/").get("Contents", [])]
    assert key in keys, f"no checkpoint object {key}; under _checkpoints/: {keys}"
    check_checkpoint(json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()), first, "S3, after the first run", moto, table)
    before = s3_objects(moto, bucket, "cdc/fleet")
    assert event_counts(rows_of(before)) == {e: 1 for e in ids(first)}
    assert not (tmp_path / "_checkpoints").exists() and not list(tmp_path.glob("**/*.stream.json")), \
        "an S3 sink's checkpoint is not written locally"

    workload.run(40)
    second = read_stream(moto, table)
    new = [r for r in second if r["eventID"] not in ids(first)]
    stream.run(table, sink, "--max-records", "30")
    check_checkpoint(json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()), second, "S3, after the second run", moto, table)
    after = s3_objects(moto, bucket, "cdc/fleet")
    added = {n: data for n, data in after.items() if n not in before}
    assert event_counts(rows_of(added)) == {e: 1 for e in ids(new)}, "the second run lands the new changes, each once, and nothing older"
    check_rows_match_records(after, second)
    check_converges(ddbcdc_run, after, moto, table, tmp_path)


def test_a_checkpoint_of_a_re_created_stream_is_refused_until_trim_horizon(moto, make_table, stream, tmp_path):
    """A table deleted and created again under the same name has a new stream (a new ARN): the old
    stream's checkpoint does not apply to it. The poller refuses it (69) naming both streams, and
    `--from trim-horizon` reads the new stream and replaces the checkpoint."""
    table = make_table()
    ddb = moto.client("dynamodb")
    Workload(ddb, table, seed=51, keys=20).populate(10)
    old = read_stream(moto, table)
    old_arn = stream_arn(moto, table)
    sink = tmp_path / "sink"
    stream.run(table, sink)
    description = ddb.describe_table(TableName=table)["Table"]
    ddb.delete_table(TableName=table)
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=description["KeySchema"],
                     AttributeDefinitions=description["AttributeDefinitions"],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    new_arn = stream_arn(moto, table)
    assert new_arn != old_arn
    Workload(ddb, table, seed=52, keys=20).populate(7)
    new = read_stream(moto, table)

    refused = stream.run(table, sink, expect=69)
    assert old_arn in refused.stderr and new_arn in refused.stderr and "--from trim-horizon" in refused.stderr, refused.describe()
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    assert json.loads(checkpoint.read_text())["streamArn"] == old_arn, "a refused start leaves the checkpoint as it was"

    before = dir_objects(sink)
    stream.run(table, sink, "--from", "trim-horizon")
    check_checkpoint(json.loads(checkpoint.read_text()), new, "after --from trim-horizon on the new stream", moto, table)
    after = dir_objects(sink)
    added = {n: d for n, d in after.items() if n not in before}
    assert event_counts(rows_of(added)) == {r["eventID"]: 1 for r in new}
    assert event_counts(rows_of(after)) == {r["eventID"]: 1 for r in old + new}


def test_from_latest_reads_only_what_comes_after_it_started(moto, make_table, stream, tmp_path):
    table = make_table()
    workload = Workload(moto.client("dynamodb"), table, seed=57, keys=30).populate(10)
    before = ids(read_stream(moto, table))
    sink = tmp_path / "sink"
    poller = stream.start(table, sink, "--from", "latest", "--max-seconds", "0.2", "--log-interval", "0.2")

    def polled():
        # A status line with a GetRecords answer: the LATEST iterator was taken before what follows.
        for line in stream.stderr(poller).splitlines():
            if line.startswith("{") and json.loads(line).get("pages", 0) >= 1:
                return True
        return False

    wait_for(polled, lambda: f"a status line after a GetRecords answer; stderr: {stream.stderr(poller)[-2000:]}")
    workload.run(12)
    records = read_stream(moto, table)
    new = [r for r in records if r["eventID"] not in before]
    wait_for(lambda: len(rows_of(dir_objects(sink))) >= len(new), "the new changes in the sink")
    os.kill(poller.pid, signal.SIGTERM)
    assert stream.wait(poller) == 0, stream.stderr(poller)[-3000:]
    objects = dir_objects(sink)
    assert event_counts(rows_of(objects)) == {r["eventID"]: 1 for r in new}, "only the changes after the start, each once"
    check_rows_match_records(objects, records)
    check_checkpoint(json.loads((sink / "_checkpoints" / f"{table}.stream.json").read_text()), records, "after --from latest", moto, table)
