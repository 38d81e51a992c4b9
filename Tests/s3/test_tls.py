"""HTTPS to S3: `ddbcdc run` through a TLS front (Tests/s3/tls_proxy.py) for the Swift S3 peer,
its certificate signed by a private CA made for the test. With the CA given (`--ca-bundle` or
AWS_CA_BUNDLE, as the AWS CLI takes them) the objects land exactly as the directory run writes
them; without it the certificate is refused and nothing is claimed; a bundle that is missing or
holds no certificate is a usage error before any request."""

import pytest

from conftest import fail
from test_s3_sink import assert_ok, assert_same_objects, bucket_objects, new_bucket, s3_run_args
from tls_proxy import PrivateCA, TLSProxy


@pytest.fixture
def tls_front(swift, tmp_path):
    ca = PrivateCA(tmp_path)
    proxy = TLSProxy(swift.endpoint, ca).start()
    yield ca, proxy
    proxy.stop()


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_https_with_the_ca_bundle_lands_the_directory_runs_objects(how, swift, tls_front, inputs, directory_objects, run_ddbcdc):
    ca, proxy = tls_front
    events = inputs(1000)
    expected = directory_objects(events, "tls", ["--max-records", "200"])
    s3 = swift.client()
    bucket = new_bucket(s3, "tls")
    env = swift.credentials_env()
    args = s3_run_args(events, bucket, "tls", proxy.endpoint, "--max-records", "200")
    if how == "flag":
        args += ["--ca-bundle", ca.ca_pem]
    else:
        env["AWS_CA_BUNDLE"] = str(ca.ca_pem)
    run = run_ddbcdc(args, env=env)
    assert_ok(run, expected)
    assert_same_objects(expected, bucket_objects(s3, bucket), run)
    assert proxy.handshakes >= 1 and proxy.failed == 0


def test_an_untrusted_certificate_is_refused_and_nothing_is_claimed(swift, tls_front, inputs, run_ddbcdc):
    ca, proxy = tls_front
    s3 = swift.client()
    bucket = new_bucket(s3, "tls-untrusted")
    run = run_ddbcdc(s3_run_args(inputs(1000), bucket, "tls", proxy.endpoint, "--max-attempts", "1"),
                     env=swift.credentials_env())
    assert run.returncode == 74, run.describe()
    assert "NOT written" in run.stderr and "certificate" in run.stderr.lower(), run.describe()
    assert proxy.handshakes == 0 and proxy.failed >= 1
    assert bucket_objects(s3, bucket) == {}


@pytest.mark.parametrize("content", [None, b"not a certificate\n"])
def test_a_bad_ca_bundle_is_a_usage_error(content, swift, tls_front, inputs, run_ddbcdc, tmp_path):
    _, proxy = tls_front
    bundle = tmp_path / "bundle.pem"
    if content is not None:
        bundle.write_bytes(content)
    run = run_ddbcdc(s3_run_args(inputs(1000), "ddbcdc-never", "tls", proxy.endpoint, "--ca-bundle", bundle),
                     env=swift.credentials_env())
    assert run.returncode == 64, run.describe()
    assert "--ca-bundle" in run.stderr and str(bundle) in run.stderr, run.describe()
    if proxy.handshakes or proxy.failed:
        fail(f"a request was made: {proxy.handshakes} handshakes, {proxy.failed} refused")
