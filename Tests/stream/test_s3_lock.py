"""The one-poller lock on S3: a lease taken with conditional writes. What the peers do:

* moto honours `If-None-Match: *` and `If-Match` on PutObject: a second poller is refused (73), and a
  lease whose holder was killed is taken over once it has expired.
* OpenStack Swift's s3api (2.30) answers 501 NotImplemented to any conditional PUT: the lock cannot
  be held there, and the poller says so (73) instead of running unguarded; `--lock none` runs it.
"""
import os
import signal
import subprocess
import time

import boto3
from botocore.config import Config

from conftest import FAST, REGION, ROOT, Workload, fail, read_stream, rows_of, event_counts, s3_objects, wait_for


def _swift_peer(directory):
    script = ROOT / "scripts" / "peers" / "s3-swift.sh"
    result = subprocess.run([str(script), "start", str(directory)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    if result.returncode != 0:
        fail(f"the Swift S3 peer did not start (scripts/peers/s3-swift.sh install; scripts/setup.sh does):\n{result.stdout}\n{result.stderr}")
    env = {}
    for line in (directory / "env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name.replace("export ", "").strip()] = value.strip().strip("'\"")
    return script, env


def _run(stream, args, env, timeout=60):
    try:
        return subprocess.run([str(stream.binary), *args], capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=stream.workdir, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        fail(f"ddbcdc {' '.join(args)} still ran after {timeout} s: {error.stderr}")


def test_a_store_without_conditional_writes_cannot_hold_the_lock(moto, make_table, stream, tmp_path):
    script, peer = _swift_peer(tmp_path / "swift")
    try:
        s3 = boto3.client("s3", endpoint_url=peer["S3_ENDPOINT"], region_name=REGION, aws_access_key_id=peer["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=peer["AWS_SECRET_ACCESS_KEY"], config=Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="locks")
        table = make_table()
        Workload(moto.client("dynamodb"), table, seed=7, keys=20).populate(20)
        # DynamoDB on moto, S3 on Swift: one endpoint per service (moto takes any keys).
        env = dict(stream.env, AWS_ENDPOINT_URL_S3=peer["S3_ENDPOINT"], AWS_ENDPOINT_URL_DYNAMODB=moto.endpoint,
                   AWS_ENDPOINT_URL_DYNAMODB_STREAMS=moto.endpoint, AWS_ACCESS_KEY_ID=peer["AWS_ACCESS_KEY_ID"],
                   AWS_SECRET_ACCESS_KEY=peer["AWS_SECRET_ACCESS_KEY"])
        args = ["stream", "--table", table, "--sink", "s3://locks/cdc", "--region", REGION, "--until-caught-up", *FAST]
        refused = _run(stream, args, env)
        assert refused.returncode == 73, f"exit {refused.returncode}:\n{refused.stderr}"
        assert "does not do conditional writes" in refused.stderr and "s3://locks/cdc/_checkpoints/" in refused.stderr, refused.stderr
        assert "NotImplemented" in refused.stderr, refused.stderr
        listed = s3.list_objects_v2(Bucket="locks").get("Contents", [])
        assert not [o["Key"] for o in listed if o["Key"].endswith(".ndjson.gz")], "nothing is read without the lock"

        done = _run(stream, args + ["--lock", "none"], env)
        assert done.returncode == 0, done.stderr
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="locks").get("Contents", [])]
        assert f"cdc/_checkpoints/{table}.stream.json" in keys, keys
        assert any(k.endswith(".ndjson.gz") for k in keys), keys
    finally:
        subprocess.run([str(script), "stop", str(tmp_path / "swift")], capture_output=True, timeout=60, cwd=ROOT)


def test_an_s3_lease_refuses_a_second_poller_and_is_taken_over_once_its_holder_is_gone(moto, make_table, stream, tmp_path):
    table = make_table()
    s3 = moto.client("s3")
    bucket = table.lower().replace("_", "-")[:50] + "-lock"
    s3.create_bucket(Bucket=bucket)
    Workload(moto.client("dynamodb"), table, seed=8, keys=20).populate(20)
    sink = f"s3://{bucket}/cdc"
    lock_key = f"cdc/_checkpoints/{table}.stream.json.lock"
    first = stream.start(table, sink, "--lock-ttl", "1", "--max-seconds", "0.2")
    wait_for(lambda: "Contents" in s3.list_objects_v2(Bucket=bucket, Prefix=lock_key), "the first poller's lease object")

    second = stream.run(table, sink, expect=73)
    assert f"s3://{bucket}/{lock_key}" in second.stderr and "holds the lock" in second.stderr, second.stderr

    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    # The killed poller's lease stays until it expires (its ttl, and the taker's as a margin): a new
    # poller then takes it over and reads everything.
    outcomes = []

    def taken_over():
        done = stream.run(table, sink, "--lock-ttl", "1", expect=None)
        outcomes.append(done.returncode)
        assert done.returncode in (0, 73), done.describe()
        return done.returncode == 0

    wait_for(taken_over, "a poller taking over the expired lease", timeout=30, interval=0.5)
    records = read_stream(moto, table)
    landed = event_counts(rows_of(s3_objects(moto, bucket, "cdc")))
    assert set(landed) == {r["eventID"] for r in records}, "every change lands once the lease is taken over"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=lock_key), "a poller that ends gives its lease up"
