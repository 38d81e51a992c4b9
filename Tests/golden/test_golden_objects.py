"""The same input gives the same objects, byte for byte, before and after a change to the engine.

`expected-objects.txt` lists every object (key, size, SHA-256) that `ddbcdc run` and the Lambda
handler (`invoke-local`) wrote for the input below, as the code stood before the engine was
rewritten (commit 550b596). Any change to an object's name, its bytes, how rows are split into
objects, or what goes to `_errors` fails this test. A change that means to alter objects (a new
name scheme) regenerates the file with `--regenerate` and says so in its commit.

The fixture was made at gzip level 6, ddbcdc's default until issue 16 chose the default by
measurement; the objects are produced at `--gzip-level 6` / `GZIP_LEVEL=6` so that they still
prove the rows unchanged. A second test checks that the default is the documented level, for
`run` and for the Lambda handler alike.

The input: scripts/gen_events.py (seed 5, 2,500 records in Lambda events of 100), events moved
across several hours so several partitions are open at once; every 7th event's records name a
second table; three damaged records (bad base64, a raw tab in a string, a missing `}`) and one
line that is not JSON at all.
"""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).with_name("expected-objects.txt")


def ddbcdc():
    path = os.environ.get("DDBCDC_BIN", str(REPO / ".build" / "debug" / "ddbcdc"))
    assert Path(path).exists(), f"{path} is not built: run swift build first"
    return path


def make_input(directory):
    raw = directory / "raw.jsonl"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_events.py"), "--seed", "5", "--records", "2500",
         "--batch-size", "100", "--out", str(raw)], check=True)
    lines = []
    for index, line in enumerate(l for l in raw.read_text(encoding="utf-8").split("\n") if l):
        event = json.loads(line)
        for record in event["Records"]:
            record["dynamodb"]["ApproximateCreationDateTime"] += index * 1900 - 20000
            if index % 7 == 3:
                record["eventSourceARN"] = record["eventSourceARN"].replace("table/", "table/other_").split("/stream/")[0] + "/stream/2026-01-01T00:00:00.000"
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        if index == 4:
            text = text.replace('{"B":"', '{"B":"%%', 1)  # not base64
        if index == 9:
            at = text.index('{"S":"') + 6
            text = text[:at] + "\t" + text[at:]  # a raw tab inside a string
        if index == 15:
            at = text.index(',{"eventID"', 1000)
            text = text[:at - 1] + text[at:]  # a record that lost its closing brace
        lines.append(text)
        if index == 20:
            lines.append("this line is not JSON")
    path = directory / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


def listing(root):
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out.append(f"{path.relative_to(root)} {len(data)} {hashlib.sha256(data).hexdigest()}")
    return out


# The default gzip level (ObjectEncoding.defaultGzipLevel; README, "Speed").
DEFAULT_GZIP_LEVEL = 6


def produce(tmp_path, gzip_level=None, lambda_events=(0, 3, 4, 9, 15)):
    """The listing of every object; at `gzip_level`, or at ddbcdc's default when it is None."""
    events, lines = make_input(tmp_path)
    result = []
    sink = tmp_path / "run"
    level = [] if gzip_level is None else ["--gzip-level", str(gzip_level)]
    subprocess.run(
        [ddbcdc(), "run", "--input", events.name, "--sink", str(sink), "--prefix", "golden", "--max-records", "97",
         "--max-bytes", "60000", "--max-seconds", "0", "--max-open-partitions", "3", "--quiet", *level],
        check=False, stderr=subprocess.PIPE, cwd=tmp_path)  # the input's name is in _errors lines
    result += ["run " + line for line in listing(sink)]
    environment = dict(os.environ, S3_BUCKET="unused", AWS_REGION="us-east-1", MAX_RECORDS="50", S3_PREFIX="lambda")
    environment.pop("GZIP_LEVEL", None)
    if gzip_level is not None:
        environment["GZIP_LEVEL"] = str(gzip_level)
    for index in lambda_events:
        event = tmp_path / f"event-{index}.json"
        event.write_text(lines[index] if index < 20 else lines[index + 1], encoding="utf-8")
        sink = tmp_path / f"lambda-{index}"
        answer = subprocess.run([ddbcdc(), "invoke-local", "--event", str(event), "--sink", str(sink)],
                                env=environment, capture_output=True, check=False)
        result.append(f"lambda-{index} response {hashlib.sha256(answer.stdout).hexdigest()}")
        result += [f"lambda-{index} " + line for line in listing(sink)]
    return result


def test_objects_are_byte_identical_to_the_fixture(tmp_path):
    produced = produce(tmp_path, gzip_level=6)
    expected = EXPECTED.read_text(encoding="utf-8").splitlines()
    assert len(produced) > 60, "too few objects to be a meaningful fixture"
    missing = [line for line in expected if line not in produced]
    extra = [line for line in produced if line not in expected]
    assert not missing and not extra, f"objects differ from the fixture:\nmissing {missing[:10]}\nextra {extra[:10]}"


def test_the_default_gzip_level_is_the_documented_one(tmp_path):
    # Same rows, same names: only the level changes the bytes, so equal listings mean equal levels.
    (tmp_path / "default").mkdir()
    (tmp_path / "explicit").mkdir()
    default = produce(tmp_path / "default", lambda_events=(0, 3))
    explicit = produce(tmp_path / "explicit", gzip_level=DEFAULT_GZIP_LEVEL, lambda_events=(0, 3))
    assert len(default) > 20
    assert default == explicit
    if DEFAULT_GZIP_LEVEL != 6:
        (tmp_path / "six").mkdir()
        assert default != produce(tmp_path / "six", gzip_level=6, lambda_events=(0, 3))


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    import tempfile
    with tempfile.TemporaryDirectory() as directory:
        EXPECTED.write_text("\n".join(produce(Path(directory), gzip_level=6)) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
