"""What `ddbcdc stream` says when it cannot start: a table that does not exist and a table without
a stream exit 69 naming the table; an endpoint nobody listens on exits 74 naming the endpoint. None
of them leaves a checkpoint or an object behind."""
import socket

from conftest import Workload


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
