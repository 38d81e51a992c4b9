"""`ddbcdc run --sink s3://BUCKET/PREFIX` against real S3 peers, with and without injected faults.

The oracle is `ddbcdc run --sink DIR --prefix PREFIX` over the same input with the same options:
the S3 run must leave exactly the directory run's keys (DIR-relative paths), byte for byte, and
nothing else -- read back with boto3. Both runs use --max-seconds 0, so that batch boundaries, and
with them object names, depend on the input alone.

Peers (conftest.py): OpenStack Swift's s3api (strict: SigV4, region, clock skew, body SHA-256,
Content-MD5, part sizes), moto with checks off, and moto with SigV4 + IAM checks on. moto before
5.2.4 rejected, with checks on, every correctly signed request whose key has '=', '+', '%' or
non-ASCII (it recomputed the signature from the decoded path), and every data object's key has
dt=/HH=; 5.2.4 signs the raw path, and the moto_auth fixture fails early, saying so, on an older
moto. So the layout runs against all three; the checks-on moto also judges an unknown access key
(InvalidAccessKeyId: Swift's tempauth says SignatureDoesNotMatch for it).

Faults come from fault_proxy.py (in process, in front of the Swift peer): 500, 503 SlowDown,
connection resets (before and in the middle of a request body), lost responses (the peer did the
work, the client never heard), stalls longer than --request-timeout, ExpiredToken.

    swift build && .venv/bin/python -m pytest Tests/s3 -q
    DDBCDC_BIN=/path/to/ddbcdc .venv/bin/python -m pytest Tests/s3 -q
"""
import base64
import hashlib
import math
import re
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from conftest import DETERMINISTIC, REGION, fail

MIB5 = 5 * 1024 * 1024
OBJECT_OPS = ("put", "create_mpu", "upload_part", "complete_mpu")
MULTIPART_ARGS = ["--gzip-level", "0", "--max-records", "100000",
                  "--multipart-threshold", str(MIB5), "--part-size", str(MIB5)]


# -- helpers ------------------------------------------------------------------------------------

def new_bucket(client, purpose):
    name = f"ddbcdc-{purpose}-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=name)
    return name


def bucket_objects(client, bucket, prefix=""):
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            objects[item["Key"]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return objects


def pending_uploads(client, bucket):
    return [(u["Key"], u["UploadId"]) for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def assert_same_objects(expected, actual, run):
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    different = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
    if missing or extra or different:
        def show(keys):
            return "".join(f"\n    {k}" for k in keys[:10]) + (f"\n    ... {len(keys) - 10} more" if len(keys) > 10 else "")
        fail(f"the bucket differs from the directory run ({len(expected)} objects expected, {len(actual)} found)"
             f"\n  missing:{show(missing)}\n  not in the directory run:{show(extra)}"
             f"\n  different bytes:{show(different)}\n" + run.describe())


def summary(run):
    """(objects written, objects NOT written) from ddbcdc run's summary line."""
    match = re.search(r"rows written in (\d+) objects", run.stderr)
    if not match:
        fail("no summary line ('... rows written in N objects ...') on stderr:\n" + run.describe())
    not_written = re.search(r"(\d+) object\(s\) NOT written", run.stderr)
    return int(match.group(1)), int(not_written.group(1)) if not_written else 0


def s3_run_args(input_path, bucket, prefix, endpoint, *args):
    return ["run", "--input", input_path, "--sink", f"s3://{bucket}/{prefix}", "--endpoint-url", endpoint,
            "--region", REGION, *DETERMINISTIC, *args]


def attempts_by_identity(proxy, ops=OBJECT_OPS):
    counts = Counter()
    for entry in proxy.entries(ops):
        counts[entry.identity] += 1
    return counts


def assert_ok(run, expected_objects):
    if run.returncode != run.durable_status:
        fail("ddbcdc run to S3 failed:\n" + run.describe())
    written, not_written = summary(run)
    assert not_written == 0 and "NOT written" not in run.stderr, run.describe()
    data_objects = sum(1 for k in expected_objects if "/_errors/" not in k)
    assert written == data_objects, f"summary says {written} objects, the directory run wrote {data_objects}\n" + run.describe()


# -- the object layout --------------------------------------------------------------------------

@pytest.mark.parametrize("peer_name", ["swift", "moto", "moto_auth"])
def test_objects_match_directory_run(peer_name, request, inputs, directory_objects, run_ddbcdc):
    """Same keys, same bytes as the directory run; a rerun rewrites the same keys in place.
    Swift gets the endpoint and region as options, moto as AWS_ENDPOINT_URL_S3 and AWS_REGION,
    moto with checks on as AWS_ENDPOINT_URL and AWS_DEFAULT_REGION."""
    peer = request.getfixturevalue(peer_name)
    events = inputs(3000)
    args = ["--max-records", "200"]
    expected = directory_objects(events, "pfx", args)
    assert len(expected) >= 10, sorted(expected)
    s3 = peer.client()
    bucket = new_bucket(s3, "layout")
    env = peer.credentials_env()
    if peer_name == "swift":
        command = s3_run_args(events, bucket, "pfx", peer.endpoint, *args)
    else:
        command = ["run", "--input", events, "--sink", f"s3://{bucket}/pfx", *DETERMINISTIC, *args]
        if peer_name == "moto":
            env.update({"AWS_ENDPOINT_URL_S3": peer.endpoint, "AWS_REGION": REGION})
        else:
            env.update({"AWS_ENDPOINT_URL": peer.endpoint, "AWS_DEFAULT_REGION": REGION})
    for attempt in ("first run", "rerun"):
        run = run_ddbcdc(command, env=env)
        assert_ok(run, expected)
        assert_same_objects(expected, bucket_objects(s3, bucket), run)
    assert pending_uploads(s3, bucket) == []


# -- multipart ----------------------------------------------------------------------------------

@pytest.mark.parametrize("peer_name", ["swift", "moto_auth"])
def test_multipart_upload(peer_name, request, inputs, directory_objects, run_ddbcdc, fault_proxy):
    """An object above --multipart-threshold goes up in --part-size parts: same bytes, a multipart
    ETag (md5-of-md5s "-N"), no upload left open; smaller ones go up whole. Every PUT (object or
    part) carries a Content-MD5 that matches the bytes sent (seen at a pass-through proxy)."""
    peer = request.getfixturevalue(peer_name)
    events = inputs(15000)
    expected = directory_objects(events, "pfx", MULTIPART_ARGS)
    big = {k: v for k, v in expected.items() if len(v) > MIB5}
    if not big:
        fail(f"no object above 5 MiB in the directory run ({ {k: len(v) for k, v in expected.items()} }): more input needed")
    s3 = peer.client()
    bucket = new_bucket(s3, "multipart")
    proxy = fault_proxy(peer)  # no plan: it only forwards and records
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *MULTIPART_ARGS), env=peer.credentials_env())
    assert_ok(run, expected)
    assert_same_objects(expected, bucket_objects(s3, bucket), run)
    assert pending_uploads(s3, bucket) == []

    for key, body in expected.items():
        etag = s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
        if key in big:
            parts = math.ceil(len(body) / MIB5)
            assert etag.endswith(f"-{parts}"), f"{key} ({len(body)} B) has ETag {etag}, not a {parts}-part upload's"
        else:
            assert etag == hashlib.md5(body).hexdigest(), f"{key} ({len(body)} B): ETag {etag} is not the body's MD5"

    ops = Counter(e.op for e in proxy.entries())
    assert ops["create_mpu"] == len(big) and ops["complete_mpu"] == len(big), ops
    assert ops["upload_part"] == sum(math.ceil(len(v) / MIB5) for v in big.values()), ops
    assert ops["put"] == len(expected) - len(big), ops
    assert ops["abort_mpu"] == 0, ops
    for entry in proxy.entries(("put", "upload_part")):
        sent = entry.headers.get("content-md5")
        assert sent, f"{entry.method} {entry.path}?{entry.query} has no Content-MD5"
        assert sent == entry.body_md5, f"{entry.path}: Content-MD5 {sent} but the body's MD5 is {entry.body_md5}"
        assert entry.headers.get("x-amz-content-sha256"), f"{entry.path}: no x-amz-content-sha256"
    for entry in proxy.entries(("upload_part",)):
        part = int(re.search(r"partNumber=(\d+)", entry.query).group(1))
        size = len(expected[entry.key])
        assert entry.body_bytes == min(MIB5, size - (part - 1) * MIB5), (entry.key, part, entry.body_bytes)


# -- faults -------------------------------------------------------------------------------------

# The draws depend only on the seed, the rule and the object keys, which depend only on the input:
# each seed below was picked (by replaying the plan over the keys) so that every action fires.
SPRINKLED_PUT_FAULTS = {
    "seed": 2,
    "rules": [
        # Attempts 1 and 2 of any object may fail, the third always goes through: --max-attempts 5
        # is enough, and the draws depend only on the seed and the keys (the same every run).
        {"op": "put", "attempt": [1, 2], "probability": 0.12, "action": "500"},
        {"op": "put", "attempt": [1, 2], "probability": 0.12, "action": "503-slowdown"},
        {"op": "put", "attempt": [1, 2], "probability": 0.10, "action": "reset"},
        {"op": "put", "attempt": [1, 2], "probability": 0.10, "action": "reset-mid-request"},
        {"op": "put", "attempt": [1, 2], "probability": 0.10, "action": "drop-response"},
        {"op": "put", "attempt": [1], "probability": 0.15, "action": "stall", "seconds": 60, "limit": 3},
    ],
}

MULTIPART_FAULTS = {
    "seed": 2,
    "rules": [
        {"op": "create_mpu", "attempt": [1], "probability": 0.5, "action": "503-slowdown"},
        {"op": "create_mpu", "attempt": [1], "action": "reset"},
        {"op": "upload_part", "attempt": [1], "probability": 0.3, "action": "stall", "seconds": 60, "limit": 2},
        {"op": "upload_part", "attempt": [1], "probability": 0.4, "action": "reset-mid-request"},
        {"op": "upload_part", "attempt": [1, 2], "probability": 0.3, "action": "drop-response"},
        {"op": "upload_part", "attempt": [2], "probability": 0.5, "action": "500"},
        # A lost reply to CompleteMultipartUpload: the object exists, the client retries the
        # complete (S3, Swift and moto answer a repeated complete with the same result).
        {"op": "complete_mpu", "attempt": [1], "probability": 0.6, "action": "drop-response"},
        {"op": "complete_mpu", "attempt": [1], "action": "500"},
        {"op": "complete_mpu", "attempt": [2], "probability": 0.5, "action": "503-slowdown"},
    ],
}
FAULT_RUN_ARGS = ["--max-attempts", "5", "--request-timeout", "5"]


def fired(proxy):
    return Counter((e.op, e.action) for e in proxy.entries() if e.action != "forward")


def test_sprinkled_faults_on_puts(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    events = inputs(3000)
    args = ["--max-records", "100"]
    expected = directory_objects(events, "pfx", args)
    s3 = swift.client()
    bucket = new_bucket(s3, "faults")
    proxy = fault_proxy(swift, SPRINKLED_PUT_FAULTS)
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=swift.credentials_env())
    faults = fired(proxy)
    assert_ok(run, expected)
    assert_same_objects(expected, bucket_objects(s3, bucket), run)
    assert pending_uploads(s3, bucket) == []
    for action in ("500", "503-slowdown", "reset", "reset-mid-request", "drop-response", "stall"):
        assert faults[("put", action)] >= 1, f"the plan never injected {action} (seed/keys changed?): {faults}"
    attempts = attempts_by_identity(proxy)
    assert max(attempts.values()) <= 3, f"an object took more tries than the faults force: {attempts.most_common(3)}"
    assert sum(attempts.values()) > len(expected), "no retry happened"


def test_faults_on_multipart_uploads(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    events = inputs(27000)
    # Three objects of ~5.3 MB: two parts each.
    args = ["--gzip-level", "0", "--max-records", "9000", "--multipart-threshold", str(MIB5), "--part-size", str(MIB5)]
    expected = directory_objects(events, "pfx", args)
    big = [k for k, v in expected.items() if len(v) > MIB5]
    assert len(big) >= 2, {k: len(v) for k, v in expected.items()}
    s3 = swift.client()
    bucket = new_bucket(s3, "mpufaults")
    proxy = fault_proxy(swift, MULTIPART_FAULTS)
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=swift.credentials_env())
    faults = fired(proxy)
    assert_ok(run, expected)
    assert_same_objects(expected, bucket_objects(s3, bucket), run)
    assert pending_uploads(s3, bucket) == [], "a multipart upload was left open (not completed, not aborted)"
    for key in big:
        etag = s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
        assert re.fullmatch(r"[0-9a-f]{32}-\d+", etag), f"{key}: {etag}"
    for op in ("create_mpu", "upload_part", "complete_mpu"):
        assert any(o == op for o, _ in faults), f"no fault hit {op}: {faults}"
    assert faults[("complete_mpu", "drop-response")] >= 1, faults
    assert faults[("upload_part", "stall")] >= 1, faults


def test_complete_answered_200_with_an_internal_error_is_retried(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    """S3 may answer CompleteMultipartUpload 200 and then say, in the body, that it failed
    (InternalError): that is a retryable error like a 500, not an upload to abort."""
    events = inputs(1000)
    # Every object goes up as a multipart upload of one part.
    args = ["--max-records", "500", "--multipart-threshold", "1024"]
    expected = directory_objects(events, "pfx", args)
    assert len(expected) >= 2 and all(len(v) > 1024 for v in expected.values()), {k: len(v) for k, v in expected.items()}
    s3 = swift.client()
    bucket = new_bucket(s3, "complete200")
    proxy = fault_proxy(swift, {"rules": [{"op": "complete_mpu", "attempt": [1], "action": "200-internal-error"}]})
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=swift.credentials_env())
    assert fired(proxy)[("complete_mpu", "200-internal-error")] == len(expected), fired(proxy)
    assert_ok(run, expected)
    assert_same_objects(expected, bucket_objects(s3, bucket), run)
    assert pending_uploads(s3, bucket) == []
    completes = attempts_by_identity(proxy, ("complete_mpu",))
    assert sorted(completes.values()) == [2] * len(expected), completes
    ops = Counter(e.op for e in proxy.entries())
    assert ops["abort_mpu"] == 0 and ops["create_mpu"] == len(expected), ops


@pytest.mark.parametrize("action, named, max_attempts, timeout", [
    ("500", r"InternalError", 3, 2),
    ("503-slowdown", r"SlowDown", 3, 2),
    ("reset", r"(?i)ConnectionFailed|connection|reset|closed", 3, 2),
    ("stall", r"(?i)Timeout|timed out", 2, 1),
])
def test_every_request_fails(action, named, max_attempts, timeout, swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    """A peer that never succeeds: exit 74 after --max-attempts tries of each object (no more),
    a message naming the error, the summary counting the objects NOT written, and nothing written."""
    events = inputs(3000)
    args = ["--max-records", "1000"]
    expected = directory_objects(events, "pfx", args)
    s3 = swift.client()
    bucket = new_bucket(s3, "allfail")
    proxy = fault_proxy(swift, {"rules": [{"op": list(OBJECT_OPS), "action": action, "seconds": 120}]})
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, "--max-attempts", max_attempts,
                                 "--request-timeout", timeout), env=swift.credentials_env(), timeout=300)
    assert run.returncode == 74, run.describe()
    assert re.search(named, run.stderr), f"stderr does not name the error ({named}):\n" + run.describe()
    written, not_written = summary(run)
    assert written == 0 and not_written >= 1, run.describe()
    assert bucket_objects(s3, bucket) == {}
    attempts = attempts_by_identity(proxy)
    assert attempts, "ddbcdc sent no request"
    assert max(attempts.values()) == max_attempts, f"tries per request, --max-attempts {max_attempts}: {attempts}"
    assert len({e.key for e in proxy.entries(OBJECT_OPS)}) <= len(expected)


# -- fail fast ----------------------------------------------------------------------------------

def assert_fails_fast(run, proxy, code, objects):
    assert run.returncode == 74, run.describe()
    assert code in run.stderr, f"stderr does not name {code}:\n" + run.describe()
    written, not_written = summary(run)
    assert written == 0 and not_written >= 1, run.describe()
    attempts = attempts_by_identity(proxy)
    assert attempts, "ddbcdc sent no request"
    retried = {k: n for k, n in attempts.items() if n > 1}
    assert not retried, f"{code} is not retryable, yet these were retried: {retried}"
    assert sum(attempts.values()) <= objects, f"{sum(attempts.values())} requests for {objects} objects"


def test_wrong_secret_fails_fast(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    events = inputs(3000)
    args = ["--max-records", "500"]
    expected = directory_objects(events, "pfx", args)
    s3 = swift.client()
    bucket = new_bucket(s3, "badsecret")
    proxy = fault_proxy(swift)
    env = {"AWS_ACCESS_KEY_ID": swift.access_key, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=env)
    assert_fails_fast(run, proxy, "SignatureDoesNotMatch", len(expected))
    assert bucket_objects(s3, bucket) == {}


def test_unknown_bucket_fails_fast(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    events = inputs(3000)
    args = ["--max-records", "500"]
    expected = directory_objects(events, "pfx", args)
    proxy = fault_proxy(swift)
    bucket = f"ddbcdc-missing-{uuid.uuid4().hex[:10]}"
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=swift.credentials_env())
    assert_fails_fast(run, proxy, "NoSuchBucket", len(expected))


def test_expired_token_fails_fast(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    """Session credentials (AWS_SESSION_TOKEN, sent as X-Amz-Security-Token) whose token has expired."""
    events = inputs(3000)
    args = ["--max-records", "500"]
    expected = directory_objects(events, "pfx", args)
    s3 = swift.client()
    bucket = new_bucket(s3, "expired")
    proxy = fault_proxy(swift, {"rules": [{"header": "X-Amz-Security-Token", "action": "expired-token"}]})
    env = {**swift.credentials_env(), "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXPIRED//token"}
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=env)
    assert all("x-amz-security-token" in e.headers for e in proxy.entries()), "a request went without the session token"
    assert_fails_fast(run, proxy, "ExpiredToken", len(expected))
    assert bucket_objects(s3, bucket) == {}


def test_wrong_region_fails_fast(swift, inputs, directory_objects, run_ddbcdc, fault_proxy):
    """Swift's s3api checks the credential scope's region: AuthorizationHeaderMalformed (400)."""
    events = inputs(3000)
    args = ["--max-records", "500"]
    expected = directory_objects(events, "pfx", args)
    s3 = swift.client()
    bucket = new_bucket(s3, "region")
    proxy = fault_proxy(swift)
    command = s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS)
    command[command.index("--region") + 1] = "eu-west-1"
    run = run_ddbcdc(command, env=swift.credentials_env())
    assert_fails_fast(run, proxy, "AuthorizationHeaderMalformed", len(expected))
    assert bucket_objects(s3, bucket) == {}


def test_unknown_access_key_fails_fast(moto_auth, inputs, directory_objects, run_ddbcdc, fault_proxy):
    """moto with checks on knows its IAM keys: an unknown key ID is InvalidAccessKeyId (Swift's
    tempauth says SignatureDoesNotMatch for it instead)."""
    events = inputs(3000)
    args = ["--max-records", "500"]
    expected = directory_objects(events, "pfx", args)
    s3 = moto_auth.client()
    bucket = new_bucket(s3, "badkey")
    proxy = fault_proxy(moto_auth)
    env = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": moto_auth.secret_key}
    run = run_ddbcdc(s3_run_args(events, bucket, "pfx", proxy.endpoint, *args, *FAULT_RUN_ARGS), env=env)
    assert_fails_fast(run, proxy, "InvalidAccessKeyId", len(expected))
    assert bucket_objects(s3, bucket) == {}


# -- moto with checks on, and the peers themselves ------------------------------------------------------------------------

def test_signed_run_accepted_by_moto_with_auth(moto_auth, invalid_input, directory_objects, run_ddbcdc):
    """Records that cannot become rows go, raw with their error, to <prefix>/_errors/ in S3 as in the
    directory, through moto's signature and IAM checks."""
    expected = directory_objects(invalid_input, "pfx")
    assert list(expected) and all("/_errors/" in k for k in expected), sorted(expected)
    s3 = moto_auth.client()
    bucket = new_bucket(s3, "auth")
    run = run_ddbcdc(s3_run_args(invalid_input, bucket, "pfx", moto_auth.endpoint), env=moto_auth.credentials_env())
    if run.returncode != 65:  # every record set aside (kept in _errors): EX_DATAERR
        fail("ddbcdc's signed PUT was refused by moto with auth on:\n" + run.describe())
    assert_same_objects(expected, bucket_objects(s3, bucket), run)


def test_moto_auth_checks_signatures(moto_auth):
    """The checks-on moto is a real check: boto3 with a wrong secret is refused, the right one
    passes on a Hive-style key (the fixture checked that already; here it is stated)."""
    good = moto_auth.client()
    bucket = new_bucket(good, "authcheck")
    good.put_object(Bucket=bucket, Key="pfx/dt=2026-01-01/HH=00/x.ndjson.gz", Body=b"x")
    with pytest.raises(Exception) as caught:
        moto_auth.client(aws_secret_access_key="wrong").put_object(Bucket=bucket, Key="pfx/y", Body=b"y")
    assert "SignatureDoesNotMatch" in str(caught.value), caught.value


# -- the peer itself ----------------------------------------------------------------------------

def test_swift_peer_is_strict(swift, monkeypatch):
    """What makes a pass against Swift worth something: it checks what AWS checks."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    s3 = swift.client()
    bucket = new_bucket(s3, "strict")

    def send(body, *, sign_body=None, secret=None, region=REGION, skew=timedelta(0), headers=None):
        now = datetime.now(timezone.utc).replace(tzinfo=None) + skew
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: now)
        request = AWSRequest(method="PUT", url=f"{swift.endpoint}/{bucket}/pfx/dt%3D2026-01-01/x.ndjson.gz",
                             data=body if sign_body is None else sign_body, headers=dict(headers or {}))
        credentials = Credentials(swift.access_key, secret or swift.secret_key)
        botocore.auth.S3SigV4Auth(credentials, "s3", region).add_auth(request)
        sent = Request(request.url, data=body, method="PUT", headers=dict(request.headers.items()))
        try:
            with urlopen(sent, timeout=30) as response:
                return response.status, ""
        except HTTPError as error:
            text = error.read().decode(errors="replace")
            code = re.search(r"<Code>([^<]+)</Code>", text)
            return error.code, code.group(1) if code else text[:200]

    body = b'{"a":1}\n'
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    assert send(body, headers={"Content-MD5": md5}) == (200, "")
    assert send(body, secret="wrong") == (403, "SignatureDoesNotMatch")
    assert send(body, region="eu-west-1") == (400, "AuthorizationHeaderMalformed")
    assert send(body, skew=timedelta(minutes=20)) == (403, "RequestTimeTooSkewed")
    assert send(body, skew=timedelta(minutes=-20)) == (403, "RequestTimeTooSkewed")
    # Signed for other bytes of the same length: the signature holds, the SHA-256 does not.
    assert send(body, sign_body=b'{"a":2}\n') == (400, "BadDigest")
    assert send(body, headers={"Content-MD5": base64.b64encode(hashlib.md5(b"other").digest()).decode()}) == (400, "BadDigest")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["pfx/dt=2026-01-01/x.ndjson.gz"], keys
