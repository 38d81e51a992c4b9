"""The Lambda function's backfill task under the Runtime Interface Emulator, against the strict S3
peer: what `emit-infra --backfill`'s Step Functions map sends it, one data file per invocation.

An export (scripts/gen_export.py, AWS's layout) is uploaded to the Swift peer; each manifest line
becomes one `{"backfill":{"export","dataFile","overlapSeconds"}}` invocation. The objects the
function lands must be exactly those `ddbcdc backfill` (the oracle: another build, reading the
same export from disk) writes with the function's batching; a data file that fails its check is a
`ddbcdc.BackfillFailed` invocation error and lands nothing.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, fail, lambda_env

sys.path.insert(0, str(REPO / "scripts"))
import gen_export  # noqa: E402

PREFIX = "cdc/fleet-devices"


def write_export(tmp_path, name="export", items=400, files=3):
    devices = (gen_export.device(11, i) for i in range(items))
    return gen_export.write_full_export(tmp_path / name, devices, (gen_export.EPOCH0 + 86400) * 1000 + 123, seed=11,
                                        files=files, empty_files=1, s3_prefix="exports/fleet")


def upload(s3, bucket, report):
    """The export folder under exports/fleet/AWSDynamoDB/<ExportId>/ in `bucket`; returns its URL."""
    client = s3.client()
    root = Path(report["exportDir"])
    folder = f"exports/fleet/AWSDynamoDB/{report['exportId']}/"
    for path in root.rglob("*"):
        if path.is_file():
            client.put_object(Bucket=bucket, Key=folder + path.relative_to(root).as_posix(), Body=path.read_bytes())
    return f"s3://{bucket}/{folder}"


def manifest_lines(report):
    text = (Path(report["exportDir"]) / "manifest-files.json").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def backfill_oracle(ddbcdc, tmp_path, report, max_records):
    sink = tmp_path / "oracle"
    result = subprocess.run(
        [str(ddbcdc), "backfill", "--export", report["exportDir"], "--sink", str(sink), "--prefix", PREFIX,
         "--max-records", str(max_records), "--quiet", "--no-resume", "--resume-file", str(tmp_path / "oracle.resume.json")],
        capture_output=True, text=True, env=lambda_env(tmp_path), stdin=subprocess.DEVNULL, timeout=600)
    if result.returncode != 0:
        fail(f"ddbcdc backfill (the oracle) failed ({result.returncode}):\n{result.stderr[-3000:]}")
    objects = {p.relative_to(sink).as_posix(): p.read_bytes() for p in sink.rglob("*") if p.is_file()}
    shutil.rmtree(sink)
    return objects


def test_each_data_file_invocation_lands_the_objects_of_ddbcdc_backfill(s3, emulator, ddbcdc, tmp_path):
    report = write_export(tmp_path)
    exports = s3.new_bucket("exports")
    url = upload(s3, exports, report)
    lake = s3.new_bucket("lake")
    em = emulator(s3.function_env(lake, PREFIX, MAX_RECORDS=64))
    answers = []
    for line in manifest_lines(report):
        response = em.invoke(json.dumps({"backfill": {"export": url, "dataFile": line, "overlapSeconds": 300}}))
        assert response.status == 200, f"{response.status} {response.body[:500]!r}\n{em.log_text()[-3000:]}"
        answer = json.loads(response.body)
        assert "errorType" not in answer, f"{answer}\n{em.log_text()[-3000:]}"
        assert answer["dataFileS3Key"] == line["dataFileS3Key"] and answer["items"] == line["itemCount"] == answer["rows"], answer
        answers.append(answer)
    assert sum(a["items"] for a in answers) == report["items"]
    landed = s3.objects(lake)
    oracle = backfill_oracle(ddbcdc, tmp_path, report, 64)
    # Per-file batches (one invocation per file) against one run over every file: the same rows;
    # with one file per run, the same objects byte for byte.
    assert sorted(landed) and all(k.startswith(PREFIX + "/dt=") for k in landed), sorted(landed)[:3]
    rows = lambda objects: sorted(line for body in objects.values() for line in __import__("gzip").decompress(body).split(b"\n") if line)
    assert rows(landed) == rows(oracle)
    # A retry of the same file (what the map's Retry does) rewrites the same keys: nothing is added.
    again = em.invoke(json.dumps({"backfill": {"export": url, "dataFile": manifest_lines(report)[0], "overlapSeconds": 300}}))
    assert again.status == 200 and "errorType" not in json.loads(again.body)
    assert s3.objects(lake) == landed


def test_a_data_file_that_fails_its_check_is_an_invocation_error_and_lands_nothing(s3, emulator, tmp_path):
    report = write_export(tmp_path, items=120, files=2)
    gen_export.damage(report, "count")
    exports = s3.new_bucket("exports")
    url = upload(s3, exports, report)
    lake = s3.new_bucket("lake")
    em = emulator(s3.function_env(lake, PREFIX))
    lines = manifest_lines(report)
    damaged = next(line for line in lines if line["itemCount"] > 0 and
                   sum(1 for _ in gen_export_lines(report, line)) != line["itemCount"])
    response = em.invoke(json.dumps({"backfill": {"export": url, "dataFile": damaged}}))
    answer = json.loads(response.body)
    assert answer.get("errorType") == "ddbcdc.BackfillFailed", f"{response.status} {answer}"
    assert damaged["dataFileS3Key"].split("/")[-1] in answer["errorMessage"] and "count-mismatch" in answer["errorMessage"], answer
    assert s3.objects(lake) == {}
    # A task naming a file the manifest does not list is refused the same way.
    forged = dict(damaged, dataFileS3Key=damaged["dataFileS3Key"].replace("/data/", "/data/x"))
    answer = json.loads(em.invoke(json.dumps({"backfill": {"export": url, "dataFile": forged}})).body)
    assert answer.get("errorType") == "ddbcdc.BackfillFailed" and "not a data file of the export" in answer["errorMessage"], answer
    # A malformed task is its own error type.
    answer = json.loads(em.invoke(json.dumps({"backfill": {"export": url}})).body)
    assert answer.get("errorType") == "ddbcdc.InvalidBackfillTask", answer
    assert s3.objects(lake) == {}


def gen_export_lines(report, line):
    import gzip
    path = Path(report["exportDir"]) / "data" / line["dataFileS3Key"].split("/")[-1]
    return [l for l in gzip.decompress(path.read_bytes()).split(b"\n") if l.strip()]
