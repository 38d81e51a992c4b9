"""What `ddbcdc stream` says when it cannot start: a table that does not exist and a table without
a stream exit 69 naming the table; an endpoint nobody listens on exits 74 naming the endpoint. None
of them leaves a checkpoint or an object behind. And a table deleted under a running poller: 69."""
import json
import socket

from conftest import Workload, checkpoint_positions, dir_objects, read_stream, rows_of, stream_arn, wait_for


def nothing_written(sink):
    files = [p for p in sink.rglob("*") if p.is_file() and not p.name.endswith(".lock")] if sink.exists() else []
    assert not files, f"a failed start wrote {files}"


def test_a_table_that_does_not_exist(moto, stream, tmp_path):
    sink = tmp_path / "sink"
    result = stream.run("no-such-table", sink, expect=69)
    assert "no-such-table" in result.stderr, result.describe()
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr, result.describe()
    nothing_written(sink)


def test_a_table_without_a_stream(moto, make_table, stream, tmp_path):
    table = make_table(stream=False)
    Workload(moto.client("dynamodb"), table, seed=5, keys=5).populate(5)
    sink = tmp_path / "sink"
    result = stream.run(table, sink, expect=69)
    assert table in result.stderr and "stream" in result.stderr.lower(), result.describe()
    assert any(phrase in result.stderr.lower() for phrase in ("no stream", "not enabled", "disabled")), \
        f"the message says the table has no stream:\n{result.describe()}"
    nothing_written(sink)


def test_an_endpoint_nobody_listens_on(moto, stream, tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago, closed again
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    sink = tmp_path / "sink"
    # One attempt: each one takes the transport's connect timeout (10 s; AsyncHTTPClient retries a
    # refused connection until then), and the default 5 attempts would take 50 s.
    result = stream.run("some-table", sink, "--max-attempts", "1", expect=74, endpoint=endpoint)
    assert f"127.0.0.1:{port}" in result.stderr, f"the message names the endpoint:\n{result.describe()}"
    nothing_written(sink)


def test_a_table_deleted_under_a_running_poller(moto, make_table, stream, tmp_path):
    """The next listing (--list-interval) finds the stream gone: exit 69 naming it, after the
    checkpoint of what was read."""
    table = make_table()
    ddb = moto.client("dynamodb")
    Workload(ddb, table, seed=6, keys=10).populate(8)
    records = read_stream(moto, table)
    arn = stream_arn(moto, table)
    sink = tmp_path / "sink"
    checkpoint = sink / "_checkpoints" / f"{table}.stream.json"
    poller = stream.start(table, sink, "--list-interval", "0.5", "--max-seconds", "0.2", "--checkpoint-interval", "0.2")
    wait_for(lambda: len(rows_of(dir_objects(sink))) == len(records), "the records in the sink")
    ddb.delete_table(TableName=table)
    status = stream.wait(poller)
    stderr = stream.stderr(poller)
    assert status == 69, f"exit {status}:\n{stderr[-3000:]}"
    assert arn in stderr, stderr[-3000:]
    assert checkpoint_positions(json.loads(checkpoint.read_text())) == {records[0]["shardId"]: int(records[-1]["dynamodb"]["SequenceNumber"])}
