#!/usr/bin/env python3
"""botocore's SigV4 signer as a line-oriented oracle for the differential test.

Reads JSON lines on stdin, writes JSON lines on stdout. Each request:
  {"method": "PUT", "url": "http://host:port/path?query" (path and query exactly as sent),
   "headers": [["Name", "value"], ...], "body_b64": "...", "timestamp": "20260101T000000Z",
   "region": "us-east-1", "service": "s3", "access_key": "...", "secret_key": "...",
   "session_token": null or "...", "mode": "s3" | "s3-unsigned" | "s3-presign", "expires": 900}
Each answer: {"canonical_request": ..., "string_to_sign": ..., "signature": ..., "authorization": ...}
(for presign, "url" holds the presigned URL).
"""
import base64
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def sign(case):
    stamp = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda *args, **kwargs: stamp
    body = base64.b64decode(case.get("body_b64", ""))
    request = AWSRequest(method=case["method"], url=case["url"], data=body)
    for name, value in case.get("headers", []):
        request.headers[name] = value
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("session_token"))
    mode = case.get("mode", "s3")
    if mode == "s3-presign":
        auth = botocore.auth.S3SigV4QueryAuth(credentials, case["service"], case["region"], expires=case["expires"])
        auth.add_auth(request)
        return {"url": request.url}
    auth = botocore.auth.S3SigV4Auth(credentials, case["service"], case["region"])
    if mode == "s3-unsigned":
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    stages = {}
    canonical_request, string_to_sign = auth.canonical_request, auth.string_to_sign
    auth.canonical_request = lambda r: stages.setdefault("canonical_request", canonical_request(r))
    auth.string_to_sign = lambda r, c: stages.setdefault("string_to_sign", string_to_sign(r, c))
    auth.add_auth(request)
    stages["authorization"] = request.headers["Authorization"]
    return stages


def main():
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(sign(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
