"""A running poller and signals: SIGKILL mid-run then a restart loses nothing (at-least-once,
duplicates only after the last checkpoint); the lock keeps a second poller off the same checkpoint
and goes away with its process; SIGTERM / SIGINT flush, checkpoint and exit 0."""
import json
import os
import re
import signal

import pytest

from conftest import (Workload, check_converges, check_rows_match_records, checkpoint_positions, dir_objects,
                      event_counts, read_stream, rows_of, wait_for)

# Objects and checkpoints written often: an object every 5 records or 0.3 s after a batch's first
# record, the checkpoint every 0.3 s while it changes (default 5 s).
OFTEN = ["--max-records", "5", "--max-seconds", "0.3", "--checkpoint-interval", "0.3"]


def position(checkpoint):
    """The checkpoint's one shard position (moto has one shard), or None while there is no checkpoint."""
    try:
        positions = checkpoint_positions(json.loads(checkpoint.read_text()))
    except (FileNotFoundError, ValueError):
        return None  # not there yet (it is replaced atomically, so never half-written)
    assert len(positions) <= 1, positions
    return next(iter(positions.values()), None)


def test_sigkill_mid_run_then_restart_loses_nothing(moto, make_table, stream, ddbcdc_run, tmp_path):
    table = make_table()
    workload = Workload(moto.client("dynamodb"), table, seed=41, keys=50).populate(40)
    sink = tmp_path / "sink"
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    poller = stream.start(table, sink, *OFTEN)
    wait_for(lambda: position(checkpoint), "the first checkpoint")
    workload.run(50)  # while it runs
    written = read_stream(moto, table)
    target = int(written[70]["dynamodb"]["SequenceNumber"])
    wait_for(lambda: (position(checkpoint) or 0) >= target, "the checkpoint to move into the writes made while it ran")
    workload.run(30)  # some of these read, some buffered, some not read yet when it dies
    os.kill(poller.pid, signal.SIGKILL)
    assert stream.wait(poller) == -signal.SIGKILL
    at_kill = position(checkpoint)
    workload.run(20)  # after the kill

    stream.run(table, sink)  # restart: from the checkpoint, to the end
    records = read_stream(moto, table)
    assert len(records) == workload.stream_records
    assert at_kill < int(records[-1]["dynamodb"]["SequenceNumber"]), "the restart had work left to do"
    objects = dir_objects(sink)
    counts = event_counts(rows_of(objects))
    missing = [r["eventID"] for r in records if r["eventID"] not in counts]
    assert not missing, f"{len(missing)} changes lost, e.g. {missing[:3]}"
    early_twice = [r["eventID"] for r in records
                   if counts[r["eventID"]] > 1 and int(r["dynamodb"]["SequenceNumber"]) <= at_kill]
    assert not early_twice, f"{len(early_twice)} changes at or before the checkpoint ({at_kill}) landed twice"
    check_rows_match_records(objects, records)
    check_converges(ddbcdc_run, objects, moto, table, tmp_path)


def test_lock_refuses_a_second_poller_and_goes_away_with_its_process(moto, make_table, stream, tmp_path):
    table = make_table()
    other = make_table()
    ddb = moto.client("dynamodb")
    Workload(ddb, table, seed=43, keys=20).populate(20)
    Workload(ddb, other, seed=44, keys=20).populate(10)
    sink = tmp_path / "sink"
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    first = stream.start(table, sink, *OFTEN)
    wait_for(lambda: position(checkpoint), "the first poller's checkpoint")

    second = stream.run(table, sink, expect=73)
    assert re.search(r"lock", second.stderr, re.I) and re.search(r"_checkpoints/[^\s'\"]*\.lock", second.stderr), \
        f"the refusal names the lock:\n{second.describe()}"
    assert re.search(rf"\b{first.pid}\b", second.stderr), f"the refusal names the holder's pid {first.pid}:\n{second.describe()}"
    assert first.poll() is None, "the first poller runs on"
    # The lock is per checkpoint: another table's poller into the same sink is not in the way.
    stream.run(other, sink)

    os.kill(first.pid, signal.SIGKILL)
    assert stream.wait(first) == -signal.SIGKILL
    stream.run(table, sink)  # the lock went with its process
    records = read_stream(moto, table)
    assert set(event_counts(rows_of(dir_objects(sink)))) == {r["eventID"] for r in records + read_stream(moto, other)}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_flushes_checkpoints_and_exits_0(moto, make_table, stream, tmp_path, signum):
    table = make_table()
    Workload(moto.client("dynamodb"), table, seed=47, keys=40).populate(37)
    records = read_stream(moto, table)
    sink = tmp_path / "sink"
    # Objects of 10 records, and no time limit to speak of: the last 7 records stay in the batch
    # until the signal flushes them. moto answers the first GetRecords with all 37 records (a page
    # holds up to 1,000), so once three objects exist, all 37 have been read.
    poller = stream.start(table, sink, "--max-records", "10", "--max-seconds", "600")
    wait_for(lambda: len(dir_objects(sink)) >= 3, "three objects of 10 records")
    os.kill(poller.pid, signum)
    status = stream.wait(poller)
    assert status == 0, f"exit {status} after {signum.name}:\n{stream.stderr(poller)[-3000:]}"
    objects = dir_objects(sink)
    assert event_counts(rows_of(objects)) == {r["eventID"]: 1 for r in records}, "the batch in memory was flushed, once"
    check_rows_match_records(objects, records)
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    assert position(checkpoint) == int(records[-1]["dynamodb"]["SequenceNumber"]), "the checkpoint covers what was written"


def test_an_idle_poller_checkpoints_what_is_durable(moto, make_table, stream, tmp_path):
    """A poller on a table that went quiet: once its objects are durable, the checkpoint names their
    last record within a few --checkpoint-interval, without waiting for more records to arrive; so
    a SIGKILL then costs nothing, and the restart lands nothing twice."""
    table = make_table()
    Workload(moto.client("dynamodb"), table, seed=53, keys=20).populate(8)
    records = read_stream(moto, table)
    sink = tmp_path / "sink"
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    poller = stream.start(table, sink, "--max-seconds", "0.2", "--checkpoint-interval", "0.2")
    wait_for(lambda: len(rows_of(dir_objects(sink))) == len(records), "the records in the sink")
    last = int(records[-1]["dynamodb"]["SequenceNumber"])
    wait_for(lambda: position(checkpoint) == last, lambda: f"the checkpoint to reach {last} while the stream is idle; "
             f"it holds {checkpoint.read_text() if checkpoint.exists() else 'nothing'}", timeout=20)
    os.kill(poller.pid, signal.SIGKILL)
    assert stream.wait(poller) == -signal.SIGKILL
    stream.run(table, sink)
    assert event_counts(rows_of(dir_objects(sink))) == {r["eventID"]: 1 for r in records}
