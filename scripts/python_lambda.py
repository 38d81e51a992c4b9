"""The design note's Python handler as a Lambda function, for scripts/bench-lambda-cost.sh.

scripts/python_handler.py is the note's code run over a file: its PutObject writes to a directory.
Here the same handler() runs as a function under the Runtime Interface Emulator with the Python
runtime interface client (`python -m awslambdaric python_lambda.handler`, scripts/ on PYTHONPATH),
and PutObject goes to S3 through boto3, as in the note: one `boto3.client("s3")` made at import
(Lambda's init phase), `put_object(Bucket=S3_BUCKET, Key=key, Body=gzipped)` per flush. The
endpoint, region and credentials come from the function's environment (AWS_ENDPOINT_URL_S3, as
boto3 reads it; an IP endpoint gets path-style addressing).

The note's settings are python_handler.py's (S3_BUCKET, S3_PREFIX, MAX_RECORDS 2000,
MAX_PAYLOAD_BYTES, MAX_SECONDS 15); GZIP_LEVEL (default 6, as ddbcdc's) sets the gzip level.
After each invocation one line goes to the log, `python_lambda {"puts": n, "records": m}`: the
PutObject calls it made (the bucket may end up holding fewer objects: the note's keys collide
within one second) and the records it was given. Nothing else is changed.
"""
import json
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_handler as note  # noqa: E402 -- after the path

note.GZIP_LEVEL = int(os.environ.get("GZIP_LEVEL", "6"))
s3 = boto3.client("s3")
_puts = [0]


def put_object(Bucket, Key, Body):  # noqa: N803 (boto3's parameter names)
    """The note's PutObject, to S3 for real."""
    s3.put_object(Bucket=Bucket, Key=Key, Body=Body)
    _puts[0] += 1


note.put_object = put_object


def handler(event, context):
    _puts[0] = 0
    try:
        return note.handler(event, context)
    finally:
        print("python_lambda " + json.dumps({"puts": _puts[0], "records": len(event.get("Records", []))}), flush=True)
