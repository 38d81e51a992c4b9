#!/usr/bin/env python3
"""Turns on moto server's request authentication and prints an access key that passes it.

    moto_auth.py ENDPOINT        prints "ACCESS_KEY_ID SECRET_ACCESS_KEY" on one line

What it does, against the moto server at ENDPOINT (http://127.0.0.1:PORT):
  1. POST /moto-api/reset: forget every resource (buckets, tables, IAM users).
  2. POST /moto-api/reset-auth with "3": the next three actions go unchecked, every later one
     must be SigV4-signed with a key moto's IAM knows and be allowed by that key's policies.
  3. Spends the three free actions on IAM: create_user "ddbcdc-test", create_access_key, and
     put_user_policy with Allow "*" on "*".
After it, a wrong secret is SignatureDoesNotMatch and an unknown key id InvalidAccessKeyId.

Needs moto >= 5.2.4: before it, with auth on, moto recomputed S3 signatures over the decoded path,
so correctly signed requests for keys with '=' (dt=...), '+' or non-ASCII failed with
SignatureDoesNotMatch. 5.2.4 signs the raw path as sent -- so the client must send the path
URI-encoded the way it signed it (as AWS SDKs do), which AWS itself does not insist on.
"""
import json
import sys
import urllib.request

import boto3

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def post(url, data=b""):
    # Not form-encoded: flask would take the body as a form and leave request.data empty.
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def enable_auth(endpoint, user="ddbcdc-test"):
    post(f"{endpoint}/moto-api/reset")
    post(f"{endpoint}/moto-api/reset-auth", b"3")
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    iam.put_user_policy(UserName=user, PolicyName="allow-all", PolicyDocument=json.dumps(POLICY))
    return key["AccessKeyId"], key["SecretAccessKey"]


def disable_auth(endpoint):
    """Back to moto's default: nothing is checked (and every resource is forgotten)."""
    post(f"{endpoint}/moto-api/reset")
    post(f"{endpoint}/moto-api/reset-auth", b"inf")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--off":
        disable_auth(sys.argv[2])
    elif len(sys.argv) == 2:
        print(*enable_auth(sys.argv[1]))
    else:
        sys.exit("usage: moto_auth.py ENDPOINT | moto_auth.py --off ENDPOINT")
