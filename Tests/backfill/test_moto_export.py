"""A smoke test on an export someone else wrote: moto's ExportTableToPointInTime.

moto (5.2.x) writes a single data object, `<S3Prefix>/AWSDynamoDB/<uuid>/data/<uuid>.gz`, with
every item as `{"Item": {...}}` in Python's default json.dumps style (spaces after `:` and `,`,
non-ASCII as \\u escapes, astral characters as surrogate pairs) -- and no manifest-summary.json,
no manifest-files.json, no _started, no checksum files; its ExportDescription has no
ExportManifest or ExportTime, and the ExportArn is not AWS's shape (the table ARN nested, then
`/import/<hex>`). So the manifests are written here, by scripts/gen_export.py --manifests-for,
from the data file itself (MD5, line count) and a chosen exportTime: what is tested is that
ddbcdc reads moto's data lines exactly, not moto's (missing) manifests.

moto runs in-process (mock_aws): nothing here talks to a service; the data file is read from disk.
"""
import base64
import time

import boto3
from moto import mock_aws

import gen_export
from conftest import check_rows, expected_rows

EXPORT_MS = (gen_export.EPOCH0 + 7 * 86400) * 1000 + 456


def test_moto_export_data_file_with_manifests_written_for_it(ddbcdc, tmp_path):
    items = [gen_export.device(13, i) for i in range(40)]
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        s3 = boto3.client("s3", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        s3.create_bucket(Bucket="fleet-exports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        table = ddb.create_table(
            TableName="fleet", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        )["TableDescription"]
        ddb.update_continuous_backups(TableName="fleet", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        for item in items:
            # boto3's client wants raw bytes for B and BS; the generator's items hold base64 text.
            ddb.put_item(TableName="fleet", Item=_raw_binaries(item))
        export = ddb.export_table_to_point_in_time(TableArn=table["TableArn"], S3Bucket="fleet-exports", S3Prefix="moto")
        arn = export["ExportDescription"]["ExportArn"]
        for _ in range(200):
            if ddb.describe_export(ExportArn=arn)["ExportDescription"]["ExportStatus"] != "IN_PROGRESS":
                break
            time.sleep(0.05)
        assert ddb.describe_export(ExportArn=arn)["ExportDescription"]["ExportStatus"] == "COMPLETED"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="fleet-exports")["Contents"]]
        assert len(keys) == 1 and keys[0].startswith("moto/AWSDynamoDB/") and "/data/" in keys[0], keys
        local = tmp_path / "bucket" / keys[0]
        local.parent.mkdir(parents=True)
        local.write_bytes(s3.get_object(Bucket="fleet-exports", Key=keys[0])["Body"].read())
    export_dir = local.parent.parent
    assert not (export_dir / "manifest-summary.json").exists()
    report = gen_export.write_manifests(export_dir, EXPORT_MS, s3_prefix="moto")
    assert report["items"] == 40
    sink = tmp_path / "sink"
    ddbcdc("backfill", "--export", export_dir, "--sink", sink, "--quiet", cwd=tmp_path)
    check_rows(sink, expected_rows(report, 300_000))


def _raw_binaries(item):
    def raw(value):
        (tag, v), = value.items()
        if tag == "B":
            return {"B": base64.b64decode(v)}
        if tag == "BS":
            return {"BS": [base64.b64decode(x) for x in v]}
        if tag == "M":
            return {"M": {k: raw(x) for k, x in v.items()}}
        if tag == "L":
            return {"L": [raw(x) for x in v]}
        return value

    return {k: raw(v) for k, v in item.items()}
