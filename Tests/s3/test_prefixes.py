"""Key prefixes are checked before any input is read, the same way for a directory and for S3:
no '..' or '.' segment, no empty segment ('a//b'), no control character, no segment longer than a
file name may be, and no prefix so long that a key under it would pass S3's 1,024 bytes. A bad
one is a usage error (exit 64) naming the problem; nothing is read, nothing is written, no
request is made. The Lambda function's configuration refuses the same S3_PREFIX values at init. A leading or trailing '/' is dropped, as it always was.
"""
import hashlib
import pytest

from conftest import DETERMINISTIC, REGION, REPO
from test_s3_sink import bucket_objects, new_bucket, s3_run_args

LONG = "/".join(["p" * 200] * 4)  # 803 bytes: no key under it fits in 1,024

BAD = [
    ("dotdot", "..", "'..'"),
    ("inner-dotdot", "a/../b", "'..'"),
    ("trailing-dotdot", "a/..", "'..'"),
    ("dot", ".", "'.'"),
    ("inner-dot", "a/./b", "'.'"),
    ("empty-segment", "a//b", "empty segment"),
    ("tab", "a\tb", "control character"),
    ("newline", "a\nb", "control character"),
    ("escape", "a\x1b[31mb", "control character"),
    ("delete", "a\x7fb", "control character"),
    ("c1-control", "a\u0085b", "control character"),
    ("long-segment", "a/" + "x" * 256, "255"),
    ("too-long", LONG, "1024"),
]
HOW = ["directory", "directory-S3_PREFIX", "s3-prefix", "s3-url", "s3-S3_PREFIX"]


def command(how, prefix, events, sink_dir, endpoint):
    s3 = ["--endpoint-url", endpoint, "--region", REGION]
    if how == "directory":
        return ["run", "--input", events, "--sink", sink_dir, "--prefix", prefix], {}
    if how == "directory-S3_PREFIX":
        return ["run", "--input", events, "--sink", sink_dir], {"S3_PREFIX": prefix}
    if how == "s3-prefix":
        return ["run", "--input", events, "--sink", "s3://ddbcdc-prefixes", "--prefix", prefix, *s3], {}
    if how == "s3-url":
        return ["run", "--input", events, "--sink", f"s3://ddbcdc-prefixes/{prefix}", *s3], {}
    return ["run", "--input", events, "--sink", "s3://ddbcdc-prefixes", *s3], {"S3_PREFIX": prefix}


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("prefix, named", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_prefix_is_a_usage_error_before_anything_happens(prefix, named, how, inputs, run_ddbcdc, http_stub, tmp_path):
    s3 = http_stub()  # any request to it would be recorded
    sink = tmp_path / "sink"
    args, env = command(how, prefix, inputs(200), sink, s3.endpoint)
    run = run_ddbcdc(args, env={"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", **env})
    assert run.returncode == 64, run.describe()
    assert "prefix" in run.stderr and named in run.stderr, f"stderr does not name the problem ({named}):\n" + run.describe()
    assert s3.requests == [], [f"{r.method} {r.path}" for r in s3.requests]
    assert not sink.exists() or not any(sink.rglob("*")), sorted(p.name for p in sink.rglob("*"))
    assert "records read" not in run.stderr, "the input was read:\n" + run.describe()


@pytest.mark.parametrize("how", HOW)
def test_the_prefix_is_checked_before_the_input_is_opened(how, run_ddbcdc, http_stub, tmp_path):
    """Without the check coming first, a missing input would be the error (66), or the run would
    go on to write under a prefix it ought to have refused."""
    s3 = http_stub()
    args, env = command(how, "a/../b", tmp_path / "no-such-input.json", tmp_path / "sink", s3.endpoint)
    run = run_ddbcdc(args, env={"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", **env})
    assert run.returncode == 64, run.describe()
    assert "'..'" in run.stderr and "no-such-input" not in run.stderr, run.describe()


@pytest.mark.parametrize("prefix, named", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_the_lambda_handler_refuses_a_bad_S3_PREFIX_at_init(prefix, named, run_ddbcdc, tmp_path):
    """The function's configuration (LambdaConfiguration, as `ddbcdc invoke-local` and the bootstrap
    build it) fails naming S3_PREFIX; the Lambda reports it as its init error."""
    sink = tmp_path / "sink"
    run = run_ddbcdc(["invoke-local", "--event", REPO / "examples" / "lambda-event.json", "--sink", sink],
                     env={"S3_BUCKET": "b", "AWS_REGION": REGION, "S3_PREFIX": prefix})
    assert run.returncode == 78, run.describe()
    assert "S3_PREFIX" in run.stderr and named in run.stderr, run.describe()
    assert not sink.exists(), sorted(p.name for p in sink.rglob("*"))


@pytest.mark.parametrize("prefix, folder", [
    ("a/b", "a/b/"), ("/a/b/", "a/b/"), ("//a/b//", "a/b/"), ("", ""), ("/", ""), ("données/été", "données/été/"),
    ("s3-like/x=1/.hidden-not/..dots..", "s3-like/x=1/.hidden-not/..dots../"),
])
def test_good_prefixes_are_kept_and_slashes_at_the_ends_dropped(prefix, folder, inputs, run_ddbcdc, tmp_path):
    sink = tmp_path / "sink"
    run = run_ddbcdc(["run", "--input", inputs(200), "--sink", sink, "--prefix", prefix, *DETERMINISTIC])
    assert run.returncode == 0, run.describe()
    keys = sorted(p.relative_to(sink).as_posix() for p in sink.rglob("*") if p.is_file())
    assert keys and all(k.startswith(folder + "dt=") for k in keys), keys


def test_the_longest_prefix_allowed_gives_keys_of_exactly_1024_bytes_in_s3(swift, inputs, run_ddbcdc, tmp_path):
    """The bound is exact. Object names end with the table, and the table is known only once the
    records are read, so the bound counts the longest table tag a name can hold (a 255-character
    table, the most DynamoDB allows, appears as 55 characters, `~` and 8 hex digits of its SHA-256):
    here the events' eventSourceARN names such a table. With --max-records 500 and 1,000 records
    objects hold 500 rows, and their keys are as long as keys can be at that limit. The prefix that
    makes them 1,024 bytes long is accepted and Swift stores them; one byte more is refused up front.
    The same prefix and one byte more are checked against the directory sink too."""
    table = "t" * 255
    tag = "t" * 55 + "~" + hashlib.sha256(table.encode()).hexdigest()[:8]
    generated = inputs(1000).read_text()
    assert generated.count(":table/fleet-devices/stream/") == 1000, "gen_events.py's table changed"
    events = tmp_path / "long-table.jsonl"
    events.write_text(generated.replace(":table/fleet-devices/stream/", f":table/{table}/stream/"))
    args = ["--max-records", "500"]
    s3 = swift.client()
    bucket = new_bucket(s3, "longkeys")
    run = run_ddbcdc(s3_run_args(events, bucket, "p", swift.endpoint, *args), env=swift.credentials_env())
    assert run.returncode == 0, run.describe()
    short = bucket_objects(s3, bucket, "p/")
    assert len(short) == 2 and all(key.endswith(f"_{tag}.ndjson.gz") for key in short), sorted(short)
    longest = max(len(key.encode()) for key in short)
    allowed = 1024 - (longest - 1)  # bytes of prefix that bring the longest key to 1,024
    segments = ["s" * 200] * (allowed // 201)
    prefix = "/".join(segments + ["e" * (allowed - 201 * len(segments))])
    assert len(prefix.encode()) == allowed
    run = run_ddbcdc(s3_run_args(events, bucket, prefix, swift.endpoint, *args), env=swift.credentials_env())
    assert run.returncode == 0, run.describe()
    long = bucket_objects(s3, bucket, prefix + "/")
    assert max(len(key.encode()) for key in long) == 1024, sorted(long)
    assert {key[len(prefix):]: body for key, body in long.items()} == {key[1:]: body for key, body in short.items()}

    for sink in ("s3", "directory"):
        longer = prefix + "x"
        if sink == "s3":
            args2 = s3_run_args(events, bucket, longer, swift.endpoint, *args)
        else:
            args2 = ["run", "--input", events, "--sink", tmp_path / "never", "--prefix", longer, *DETERMINISTIC, *args]
        run = run_ddbcdc(args2, env=swift.credentials_env())
        assert run.returncode == 64 and "1024" in run.stderr, run.describe()
    assert not (tmp_path / "never").exists()
    assert len(bucket_objects(s3, bucket)) == 4
