"""Redirects are never followed: an S3 endpoint that answers 3xx gets an error naming the Location,
and the Location gets nothing -- not the object, not the signature, not X-Amz-Security-Token.

The fault proxy (fault_proxy.py, action "redirect") stands in front of the Swift S3 peer and
answers object requests with a redirect to a recording HTTP server (http_stub.py) on another
port; a client that followed would send the object there, hear 200 and call it durable.
"""
import pytest

from test_s3_sink import OBJECT_OPS, attempts_by_identity, bucket_objects, new_bucket, pending_uploads, s3_run_args, summary

SESSION_TOKEN = "FwoGZXIvYXdzREDIRECT//token"


def redirect_run(swift, inputs, run_ddbcdc, fault_proxy, rule, *args):
    s3 = swift.client()
    bucket = new_bucket(s3, "redirect")
    proxy = fault_proxy(swift, {"rules": [{"op": list(OBJECT_OPS), "action": "redirect", **rule}]})
    env = {**swift.credentials_env(), "AWS_SESSION_TOKEN": SESSION_TOKEN}
    run = run_ddbcdc(s3_run_args(inputs(1000), bucket, "pfx", proxy.endpoint, "--max-records", "500",
                                 "--max-attempts", "3", *args), env=env)
    return s3, bucket, proxy, run


def assert_refused(run, proxy, s3, bucket):
    assert run.returncode == 74, run.describe()
    written, not_written = summary(run)
    assert written == 0 and not_written >= 1, run.describe()
    attempts = attempts_by_identity(proxy)
    assert attempts, "ddbcdc sent no request"
    retried = {k: n for k, n in attempts.items() if n > 1}
    assert not retried, f"a redirect is not worth retrying, yet these were retried: {retried}"
    assert bucket_objects(s3, bucket) == {}
    assert pending_uploads(s3, bucket) == []


@pytest.mark.parametrize("status", [302, 303, 307, 308])
@pytest.mark.parametrize("multipart", [False, True], ids=["put", "multipart"])
def test_a_redirect_to_another_host_is_an_error_and_that_host_gets_nothing(
        status, multipart, swift, inputs, run_ddbcdc, fault_proxy, http_stub):
    elsewhere = http_stub()  # answers 200 with an ETag to anything: a durable-looking reply
    location = f"{elsewhere.endpoint}/stolen{{path}}"
    args = ["--multipart-threshold", "1024"] if multipart else []
    s3, bucket, proxy, run = redirect_run(swift, inputs, run_ddbcdc, fault_proxy,
                                          {"status": status, "location": location}, *args)
    assert elsewhere.requests == [], (
        f"{len(elsewhere.requests)} request(s) followed the {status} to {elsewhere.endpoint}, e.g. "
        f"{elsewhere.requests[0].method} {elsewhere.requests[0].path} with "
        f"{'the' if 'x-amz-security-token' in elsewhere.requests[0].headers else 'no'} session token\n" + run.describe())
    assert_refused(run, proxy, s3, bucket)
    assert f"{elsewhere.endpoint}/stolen/{bucket}/pfx/" in run.stderr, "stderr does not name the Location:\n" + run.describe()
    assert f"HTTP {status}" in run.stderr, run.describe()


def test_s3s_permanent_redirect_for_another_region_says_which(swift, inputs, run_ddbcdc, fault_proxy, http_stub):
    """S3's answer to a request sent to the wrong region's endpoint: 301 PermanentRedirect with the
    bucket's region in x-amz-bucket-region and the endpoint to use in <Endpoint>."""
    elsewhere = http_stub()
    s3, bucket, proxy, run = redirect_run(swift, inputs, run_ddbcdc, fault_proxy, {
        "status": 301, "location": f"{elsewhere.endpoint}{{path}}", "code": "PermanentRedirect",
        "message": "The bucket you are attempting to access must be addressed using the specified endpoint. "
                   "Please send all future requests to this endpoint.",
        "endpoint": "example-bucket.s3.eu-west-1.amazonaws.com", "headers": {"x-amz-bucket-region": "eu-west-1"}})
    assert elsewhere.requests == [], run.describe()
    assert_refused(run, proxy, s3, bucket)
    assert "PermanentRedirect (HTTP 301)" in run.stderr, run.describe()
    assert "eu-west-1" in run.stderr and "--region" in run.stderr, "no hint at the bucket's region:\n" + run.describe()
