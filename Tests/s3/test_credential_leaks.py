"""Credential endpoints answer with secrets: whatever goes wrong with their answer, `ddbcdc run`
says which field or which status, and never what the body held.

A scripted HTTP server (http_stub.py) plays the container-credentials endpoint
(AWS_CONTAINER_CREDENTIALS_FULL_URI, as on ECS/EKS and Lambda) and IMDSv2
(AWS_EC2_METADATA_SERVICE_ENDPOINT), and the S3 endpoint too (it refuses every request with
AccessDenied), answering each failure path in turn. Every value it serves carries the marker
LEAKCANARY; no line ddbcdc writes may hold it, nor any piece of the secret or the tokens.
"""
import json

import pytest

from conftest import REGION

MARK = "LEAKCANARY"
ACCESS_KEY = "ASIA" + MARK + "KEY1"
SECRET = MARK + "secret/wJalrXUtnFEMI+K7MDENG"
TOKEN = MARK + "token//IQoJb3JpZ2luX2VjEJr"
IMDS_TOKEN = MARK + "imdsSession=="
ROLE = "ddbcdc-role"
GOOD = {"Code": "Success", "AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET, "Token": TOKEN,
        "Expiration": "2099-01-01T00:00:00Z"}
DOCUMENT = json.dumps(GOOD).encode()
SECRET_PIECES = [MARK, SECRET[len(MARK):][:12], TOKEN[len(MARK):][:12], IMDS_TOKEN[len(MARK):][:8]]


def document(**changes):
    """GOOD with fields replaced (None: removed)."""
    fields = dict(GOOD)
    for name, value in changes.items():
        if value is None:
            fields.pop(name)
        else:
            fields[name] = value
    return json.dumps(fields).encode()


ACCESS_DENIED = (403, {"Content-Type": "application/xml"},
                 b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
                 b"<RequestId>stub</RequestId></Error>")

# (id, status, body, what stderr must name)
CONTAINER_FAILURES = [
    ("truncated", 200, DOCUMENT[:DOCUMENT.index(SECRET.encode()) + 12], ["JSON object"]),
    ("not-an-object", 200, b"[" + DOCUMENT + b"]", ["JSON object"]),
    ("no-AccessKeyId", 200, document(AccessKeyId=None), ["AccessKeyId"]),
    ("AccessKeyId-number", 200, document(AccessKeyId=12345), ["AccessKeyId"]),
    ("no-SecretAccessKey", 200, document(SecretAccessKey=None), ["SecretAccessKey"]),
    ("SecretAccessKey-number", 200, document(SecretAccessKey=12345), ["SecretAccessKey"]),
    ("SecretAccessKey-object", 200, document(SecretAccessKey={"value": SECRET}), ["SecretAccessKey"]),
    ("Token-number", 200, document(Token=12345), ["Token"]),
    ("Token-list", 200, document(Token=[TOKEN]), ["Token"]),
    ("Expiration-not-a-time", 200, document(Expiration=MARK + "-tomorrow"), ["Expiration"]),
    ("Expiration-number", 200, document(Expiration=4102444800), ["Expiration"]),
    ("HTTP-500", 500, DOCUMENT, ["HTTP 500"]),
    ("HTTP-403", 403, b"denied for " + SECRET.encode(), ["HTTP 403"]),
    ("HTTP-307", 307, DOCUMENT, ["HTTP 307"]),
]

# (id, {(method, path): (status, body)}, what stderr must name); unlisted paths answer 404.
CREDENTIALS = "/latest/meta-data/iam/security-credentials/"
IMDS_FAILURES = [
    ("token-refused", {("PUT", "/latest/api/token"): (403, DOCUMENT)}, ["IMDSv2", "HTTP 403"]),
    ("role-listing-refused", {("GET", CREDENTIALS): (401, DOCUMENT)}, ["IMDSv2", "HTTP 401"]),
    ("role-listing-holds-credentials", {("GET", CREDENTIALS): (200, DOCUMENT)}, ["IMDSv2", "role"]),
    ("role-listing-empty", {("GET", CREDENTIALS): (200, b"")}, ["IMDSv2", "role"]),
    ("credentials-500", {("GET", CREDENTIALS + ROLE): (500, DOCUMENT)}, ["IMDSv2", "HTTP 500"]),
    ("credentials-truncated", {("GET", CREDENTIALS + ROLE): (200, DOCUMENT[:-30])}, ["IMDSv2", "JSON object"]),
    ("credentials-no-secret", {("GET", CREDENTIALS + ROLE): (200, document(SecretAccessKey=None))},
     ["IMDSv2", "SecretAccessKey"]),
    ("credentials-Token-number", {("GET", CREDENTIALS + ROLE): (200, document(Token=7))}, ["IMDSv2", "Token"]),
    ("credentials-failure-code", {("GET", CREDENTIALS + ROLE): (200, json.dumps(
        {"Code": "AssumeRoleUnauthorizedAccess", "Message": "no " + SECRET, "LastUpdated": "2026-01-01T00:00:00Z"}).encode())},
     ["IMDSv2", "AssumeRoleUnauthorizedAccess"]),
]


def imds_answers(overrides):
    answers = {("PUT", "/latest/api/token"): (200, IMDS_TOKEN.encode()),
               ("GET", CREDENTIALS): (200, ROLE.encode() + b"\n"),
               ("GET", CREDENTIALS + ROLE): (200, DOCUMENT)}
    answers.update(overrides)
    return answers


def run_with(run_ddbcdc, inputs, stub, env):
    return run_ddbcdc(["run", "--input", inputs(200), "--sink", "s3://ddbcdc-leaks/pfx", "--endpoint-url", stub.endpoint,
                       "--region", REGION, "--max-attempts", "1", "--quiet"], env=env)


def assert_nothing_leaked(run, named):
    assert run.returncode != 0, run.describe()
    for line in run.stderr.splitlines() + run.stdout.splitlines():
        for piece in SECRET_PIECES:
            assert piece not in line, f"a line repeats what the credentials endpoint sent ({piece!r}):\n  {line}"
    for word in named:
        assert word in run.stderr, f"stderr does not name {word!r}:\n" + run.describe()


def container_stub(http_stub, status, body):
    def answer(request):
        if request.path == "/creds":
            return status, {"Content-Type": "application/json", **({"Location": "http://127.0.0.1:9/x"} if 300 <= status < 400 else {})}, body
        return ACCESS_DENIED
    return http_stub(answer)


@pytest.mark.parametrize("status, body, named", [c[1:] for c in CONTAINER_FAILURES], ids=[c[0] for c in CONTAINER_FAILURES])
def test_container_credentials_failures_name_the_field_not_the_body(status, body, named, run_ddbcdc, inputs, http_stub):
    stub = container_stub(http_stub, status, body)
    run = run_with(run_ddbcdc, inputs, stub, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.endpoint + "/creds"})
    assert_nothing_leaked(run, ["container credentials", *named])
    assert run.returncode == 74, run.describe()
    assert [r.path for r in stub.requests] == ["/creds"], "S3 was asked although there were no credentials"


@pytest.mark.parametrize("answers, named", [c[1:] for c in IMDS_FAILURES], ids=[c[0] for c in IMDS_FAILURES])
def test_imds_failures_name_the_step_not_the_body(answers, named, run_ddbcdc, inputs, http_stub):
    table = imds_answers(answers)

    def answer(request):
        status, body = table.get((request.method, request.path), (404, b""))
        return status, {}, body

    stub = http_stub(answer)
    run = run_with(run_ddbcdc, inputs, stub, {"AWS_EC2_METADATA_DISABLED": "false",
                                             "AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.endpoint})
    assert_nothing_leaked(run, named)
    assert run.returncode == 74, run.describe()
    assert all(r.path.startswith("/latest/") for r in stub.requests), [r.path for r in stub.requests]


@pytest.mark.parametrize("body", [document(Token=None), document(Token=None, Expiration=None)], ids=["no-Token", "no-Token-no-Expiration"])
def test_credentials_without_a_token_are_used_and_not_shown(body, run_ddbcdc, inputs, http_stub):
    """Long-term keys from a container endpoint (no Token) are accepted, as the AWS SDK for Java
    does: the S3 request is signed with them (and then refused here); nothing is echoed either way."""
    stub = container_stub(http_stub, 200, body)
    run = run_with(run_ddbcdc, inputs, stub, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.endpoint + "/creds"})
    assert_nothing_leaked(run, ["AccessDenied"])
    s3_requests = [r for r in stub.requests if r.path != "/creds"]
    assert s3_requests and all(f"Credential={ACCESS_KEY}/" in r.headers.get("authorization", "") for r in s3_requests)
    assert all("x-amz-security-token" not in r.headers for r in s3_requests)
