"""The same input gives the same objects, byte for byte, before and after a change to the engine.

`expected-objects.txt` lists every object (key, size, SHA-256) that `ddbcdc run` and the Lambda
handler (`invoke-local`) wrote for the input below, as the code stood before the engine was
rewritten (commit 550b596). Any change to an object's name, its bytes, how rows are split into
objects, or what goes to `_errors` fails this test. A change that means to alter objects (a new
gzip default, a new name scheme) regenerates the file with `--regenerate` and says so in its
commit.

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


def produce(tmp_path):
    events, lines = make_input(tmp_path)
    result = []
    sink = tmp_path / "run"
    subprocess.run(
        [ddbcdc(), "run", "--input", events.name, "--sink", str(sink), "--prefix", "golden", "--max-records", "97",
         "--max-bytes", "60000", "--max-seconds", "0", "--max-open-partitions", "3", "--quiet"],
        check=False, stderr=subprocess.PIPE, cwd=tmp_path)  # the input's name is in _errors lines
    result += ["run " + line for line in listing(sink)]
    environment = dict(os.environ, S3_BUCKET="unused", AWS_REGION="us-east-1", MAX_RECORDS="50", S3_PREFIX="lambda")
    for index in (0, 3, 4, 9, 15):
        event = tmp_path / f"event-{index}.json"
        event.write_text(lines[index] if index < 20 else lines[index + 1], encoding="utf-8")
        sink = tmp_path / f"lambda-{index}"
        answer = subprocess.run([ddbcdc(), "invoke-local", "--event", str(event), "--sink", str(sink)],
                                env=environment, capture_output=True, check=False)
        result.append(f"lambda-{index} response {hashlib.sha256(answer.stdout).hexdigest()}")
        result += [f"lambda-{index} " + line for line in listing(sink)]
    return result


def test_objects_are_byte_identical_to_the_fixture(tmp_path):
    produced = produce(tmp_path)
    expected = EXPECTED.read_text(encoding="utf-8").splitlines()
    assert len(produced) > 60, "too few objects to be a meaningful fixture"
    missing = [line for line in expected if line not in produced]
    extra = [line for line in produced if line not in expected]
    assert not missing and not extra, f"objects differ from the fixture:\nmissing {missing[:10]}\nextra {extra[:10]}"


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    import tempfile
    with tempfile.TemporaryDirectory() as directory:
        EXPECTED.write_text("\n".join(produce(Path(directory))) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
