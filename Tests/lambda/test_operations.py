"""`ddbcdc emit-infra`'s go-live resources (docs/operations.md): the bucket, the failure queue's
policy, the alarms, their topic and the dashboard, judged by tools that are not ours:

  * cfn-lint on the template for each combination of the options that change its shape (a product
    of the boolean-ish ones: bucket none / SSE-S3 / SSE-KMS with expiry and versioning, alarms
    without a topic / with a new one / with an existing one, the queue created or given);
  * least privilege of the bucket policy and the queue policy: no Allow with a wildcard action or a
    "*" principal, every "*" principal under a condition;
  * the alarms' and the dashboard's metrics of namespace ddbcdc against the EMF line the function
    prints under the Runtime Interface Emulator (its stdout, as the emulator's log captures it): a
    name, dimension or value the function does not print fails;
  * the plain resources deployed by moto's CloudFormation and read back; what moto's CloudFormation
    does not create (alarms, bucket and queue policies) or ignores (the bucket's public access block,
    ownership controls, lifecycle, versioning) is applied from the template's own properties through
    the service's API and read back instead.

    swift build && .venv/bin/python -m pytest Tests/lambda/test_operations.py -q
"""
import itertools
import json
import os
import subprocess
import uuid

import pytest
import yaml

from conftest import REPO, fail
from test_emit_infra import KEY, QUEUE, STREAM, cfn_lint

TOPIC = "arn:aws:sns:eu-west-1:210987654321:ops-alerts"
BUCKETS = {"no-bucket": [], "sse-s3": ["--create-bucket"],
           "sse-kms": ["--create-bucket", "--kms-key-arn", KEY, "--errors-expire-days", "30", "--bucket-versioning"]}
ALARMS = {"no-topic": [], "email": ["--alarm-email", "oncall@example.com"], "topic": ["--alarm-topic-arn", TOPIC]}
QUEUES = {"own-queue": ["--parallelization-factor", "10", "--iterator-age-alarm-minutes", "1"],
          "given-queue": ["--on-failure-queue-arn", QUEUE, "--prefix", "cdc/fleet"]}
COMBINATIONS = {f"{b}-{a}-{q}": BUCKETS[b] + ALARMS[a] + QUEUES[q] for b, a, q in itertools.product(BUCKETS, ALARMS, QUEUES)}


def emit(ddbcdc, out, args, bucket="lake-raw"):
    result = subprocess.run([str(ddbcdc), "emit-infra", "--stream-arn", STREAM, "--bucket", bucket, "--out", str(out), *args],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        fail(f"emit-infra {args} failed ({result.returncode}): {result.stderr}")
    return (out / "template.yaml").read_text(), json.loads((out / "dashboard.json").read_text()), \
        json.loads((out / "event-source-mapping.json").read_text())


def of_type(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_every_combination_passes_cfn_lint_and_holds_its_resources(ddbcdc, tmp_path, name):
    args = COMBINATIONS[name]
    text, dashboard, mapping = emit(ddbcdc, tmp_path / "o", args)
    findings = cfn_lint(text)
    assert findings == [], f"{name}:\n" + "\n".join(findings)
    template = yaml.safe_load(text)
    assert set(of_type(template, "AWS::S3::Bucket")) == ({"Bucket"} if "--create-bucket" in args else set())
    assert set(of_type(template, "AWS::SNS::Topic")) == ({"AlarmTopic"} if "--alarm-email" in args else set())
    assert set(of_type(template, "AWS::SQS::QueuePolicy")) == (set() if "--on-failure-queue-arn" in args else {"FailureQueuePolicy"})
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    assert len(alarms) == 5
    actions = [{"Ref": "AlarmTopic"}] if "--alarm-email" in args else [TOPIC] if "--alarm-topic-arn" in args else None
    assert all(a["Properties"].get("AlarmActions") == actions for a in alarms.values())
    # The dashboard file is the template's dashboard.
    (board,) = of_type(template, "AWS::CloudWatch::Dashboard").values()
    assert json.loads(board["Properties"]["DashboardBody"]) == dashboard
    # The mapping file and the template's event agree on the parallelism.
    factor = int(args[args.index("--parallelization-factor") + 1]) if "--parallelization-factor" in args else 1
    event = template["Resources"]["Function"]["Properties"]["Events"]["TableStream"]["Properties"]
    assert mapping["ParallelizationFactor"] == event["ParallelizationFactor"] == factor


def statements(policy):
    found = policy["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value):
    return value if isinstance(value, list) else [value]


def assert_least_privilege(policy):
    for s in statements(policy):
        principal = s["Principal"]
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS", [])))
        if everyone:
            assert s.get("Condition"), f"a '*' principal without a condition: {s}"
        if s["Effect"] == "Allow":
            assert not everyone, f"an Allow for everyone: {s}"
            assert all("*" not in a for a in as_list(s["Action"])), f"an Allow with a wildcard action: {s}"
        else:
            # A Deny narrows: a service-wide action is the safe form (a list would leave the rest open),
            # but only under a condition, or it would lock everyone out.
            assert s["Effect"] == "Deny" and s.get("Condition"), s


@pytest.mark.parametrize("name", ["sse-kms-email-own-queue", "sse-s3-no-topic-given-queue"])
def test_the_bucket_and_queue_policies_grant_least_privilege(ddbcdc, tmp_path, name):
    text, _, _ = emit(ddbcdc, tmp_path / "o", COMBINATIONS[name])
    resources = yaml.safe_load(text)["Resources"]
    bucket_policy = resources["BucketPolicy"]["Properties"]["PolicyDocument"]
    assert_least_privilege(bucket_policy)
    (tls,) = statements(bucket_policy)
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert tls["Resource"] == [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Sub": "${Bucket.Arn}/*"}]
    if "FailureQueuePolicy" not in resources:
        assert "--on-failure-queue-arn" in COMBINATIONS[name]
        return
    queue_policy = resources["FailureQueuePolicy"]["Properties"]["PolicyDocument"]
    assert_least_privilege(queue_policy)
    role = {"Fn::GetAtt": ["FunctionRole", "Arn"]}
    allow, deny = statements(queue_policy)
    assert allow["Principal"] == {"AWS": role} and allow["Action"] == "sqs:SendMessage"
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": role}}
    # The role's own grant on the queue is SendMessage on that queue only.
    grants = [s for s in resources["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
              if any(a.startswith("sqs:") for a in s["Action"])]
    assert grants == [{"Sid": "ReportFailedBatches", "Effect": "Allow", "Action": ["sqs:SendMessage"],
                       "Resource": {"Fn::GetAtt": ["FailureQueue", "Arn"]}}]


@pytest.mark.parametrize("policy", [
    {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "q"}]},
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "r"}, "Action": "sqs:*", "Resource": "q"}]},
    {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "b"}]},
])
def test_the_least_privilege_check_catches_wide_statements(policy):
    with pytest.raises(AssertionError):
        assert_least_privilege(policy)


# -- the metrics the function really prints --------------------------------------------------------

GOOD = {"eventID": "good-{n}", "eventName": "INSERT", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
        "dynamodb": {"ApproximateCreationDateTime": 1767225600, "Keys": {"pk": {"S": "k{n}"}},
                     "NewImage": {"pk": {"S": "k{n}"}, "v": {"N": "{n}"}}, "SequenceNumber": "10000000000000000000{n}",
                     "SizeBytes": 30, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"}


def good(n):
    return json.dumps(GOOD).replace("{n}", str(n))


BAD_TAG = good(9).replace('{"N": "9"}', '{"Q": "9"}')  # no such type tag: set aside


def emf_lines(log_text):
    found = []
    for line in log_text.splitlines():
        start = line.find('{"_aws"')
        if start >= 0:
            found.append(json.loads(line[start:]))
    return found


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("moto-ops")
    script = REPO / "scripts" / "peers" / "moto.sh"
    result = subprocess.run([str(script), "start", str(directory)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        fail(f"moto server did not start (scripts/setup.sh installs moto[server]):\n{result.stdout}\n{result.stderr}")
    try:
        env = dict(line.split("=", 1) for line in (directory / "env").read_text().splitlines() if "=" in line)
        yield env["MOTO_ENDPOINT"].strip()
    finally:
        subprocess.run([str(script), "stop", str(directory)], capture_output=True, timeout=60)


def client(endpoint, service, region="eu-west-1"):
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))


def test_alarms_and_dashboard_watch_the_metrics_the_function_prints(ddbcdc, emulator, moto_server, tmp_path):
    """The function under the emulator, writing to moto's S3: two good records and one it sets
    aside. Its EMF line names the namespace, dimension and metrics; every ddbcdc metric the
    template's alarms and dashboard use must be one of them, with the dimension's value the
    function's name (AWS_LAMBDA_FUNCTION_NAME, ddbcdc-test here), and the set-aside alarm's metric
    must count exactly the record set aside."""
    bucket = f"ddbcdc-ops-{uuid.uuid4().hex[:8]}"
    client(moto_server, "s3", "us-east-1").create_bucket(Bucket=bucket)
    em = emulator({"S3_BUCKET": bucket, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": moto_server,
                   "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    response = em.invoke(('{"Records":[' + ",".join([good(1), BAD_TAG, good(2)]) + "]}").encode())
    assert response.status == 200 and response.failures() == [], f"{response.body[:300]!r}\n{em.log_text()[-2000:]}"
    lines = emf_lines(em.log_text())
    assert len(lines) == 1, em.log_text()[-3000:]
    line = lines[0]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    printed = {m["Name"] for m in directive["Metrics"]}
    dimensions = [set(d) for d in directive["Dimensions"]]
    namespace = directive["Namespace"]
    assert line["Records"] == 3 and line["Rows"] == 2

    text, dashboard, _ = emit(ddbcdc, tmp_path / "o", ["--function-name", "ddbcdc-test"])
    template = yaml.safe_load(text)
    alarms = [a["Properties"] for a in of_type(template, "AWS::CloudWatch::Alarm").values()]
    own = [a for a in alarms if a["Namespace"] == namespace]
    assert own, f"no alarm on the function's own namespace {namespace}: {[a['Namespace'] for a in alarms]}"
    for alarm in own:
        assert alarm["MetricName"] in printed, (alarm["MetricName"], printed)
        assert {d["Name"] for d in alarm["Dimensions"]} in dimensions
        assert all(line[d["Name"]] == d["Value"] for d in alarm["Dimensions"])
    (set_aside,) = [a for a in own if a["AlarmName"].endswith("-set-aside")]
    assert line[set_aside["MetricName"]] == 1 and set_aside["Threshold"] == 0, "the set-aside alarm counts records set aside"

    rows = [row for widget in dashboard["widgets"] for row in widget["properties"]["metrics"]]
    own_rows = [row for row in rows if row[0] == namespace]
    for row in own_rows:
        metric, pairs = row[1], [x for x in row[2:] if isinstance(x, str)]
        assert metric in printed, (metric, printed)
        assert {pairs[0]} in dimensions and line[pairs[0]] == pairs[1], row
    # Everything the function prints is on the dashboard.
    assert {row[1] for row in own_rows} == printed


# -- moto's CloudFormation -------------------------------------------------------------------------

# What moto's CloudFormation (moto 5) cannot create: its model map has no alarms, bucket policies
# or queue policies; its S3 bucket applies BucketEncryption and Tags only. Those are applied below
# through the services' APIs from the template's own properties; the function, its mapping and its
# role's inline policy need Lambda (Docker in moto) and are tested elsewhere (cfn-lint, the emulator).
NOT_IN_MOTO_CFN = {"AWS::CloudWatch::Alarm", "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::Serverless::Function"}


def plain_template(template):
    resources = {n: r for n, r in template["Resources"].items() if r["Type"] not in NOT_IN_MOTO_CFN}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def test_moto_creates_the_plain_resources_as_the_template_says(ddbcdc, moto_server, tmp_path, monkeypatch):
    for name in ["AWS_PROFILE", "AWS_CONFIG_FILE"]:
        monkeypatch.delenv(name, raising=False)
    bucket = f"lake-ops-{uuid.uuid4().hex[:8]}"
    args = ["--create-bucket", "--kms-key-arn", KEY, "--errors-expire-days", "30", "--prefix", "cdc/fleet",
            "--alarm-email", "oncall@example.com", "--function-name", f"ops-{uuid.uuid4().hex[:6]}", "--iterator-age-alarm-minutes", "20"]
    text, dashboard, _ = emit(ddbcdc, tmp_path / "o", args, bucket=bucket)
    template = yaml.safe_load(text)
    resources = template["Resources"]
    cfn = client(moto_server, "cloudformation")
    stack = f"ops-{uuid.uuid4().hex[:8]}"
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(plain_template(template)), Capabilities=["CAPABILITY_IAM"])
    status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE", cfn.describe_stack_events(StackName=stack)["StackEvents"][:5]
    created = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    assert {"Bucket", "FailureQueue", "AlarmTopic", "Dashboard", "LogGroup", "FunctionRole"} <= set(created), created

    s3 = client(moto_server, "s3")
    assert created["Bucket"] == bucket
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}
    # Ignored by moto's CloudFormation: applied from the template's properties, read back.
    bucket_properties = resources["Bucket"]["Properties"]
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=bucket_properties["PublicAccessBlockConfiguration"])
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    lifecycle = [{"ID": r["Id"], "Status": r["Status"], "Filter": {"Prefix": r.get("Prefix", "")},
                  **({"AbortIncompleteMultipartUpload": r["AbortIncompleteMultipartUpload"]} if "AbortIncompleteMultipartUpload" in r else {}),
                  **({"Expiration": {"Days": r["ExpirationInDays"]}} if "ExpirationInDays" in r else {})}
                 for r in bucket_properties["LifecycleConfiguration"]["Rules"]]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": lifecycle})
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert rules["AbortIncompleteMultipartUploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert rules["ExpireSetAsideRecords"]["Expiration"]["Days"] == 30
    assert rules["ExpireSetAsideRecords"]["Filter"]["Prefix"] == "cdc/fleet/_errors/"
    bucket_arn = f"arn:aws:s3:::{bucket}"
    policy = json.dumps(resources["BucketPolicy"]["Properties"]["PolicyDocument"]).replace(
        '{"Fn::GetAtt": ["Bucket", "Arn"]}', json.dumps(bucket_arn)).replace('{"Fn::Sub": "${Bucket.Arn}/*"}', json.dumps(bucket_arn + "/*"))
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(policy)

    sqs = client(moto_server, "sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=created["FailureQueue"], AttributeNames=["All"])["Attributes"]
    assert attributes["MessageRetentionPeriod"] == "1209600" and attributes["SqsManagedSseEnabled"] == "true"
    queue_arn = attributes["QueueArn"]
    role_arn = client(moto_server, "iam").get_role(RoleName=created["FunctionRole"])["Role"]["Arn"]
    queue_policy = json.dumps(resources["FailureQueuePolicy"]["Properties"]["PolicyDocument"]).replace(
        '{"Fn::GetAtt": ["FunctionRole", "Arn"]}', json.dumps(role_arn)).replace('{"Fn::GetAtt": ["FailureQueue", "Arn"]}', json.dumps(queue_arn))
    sqs.set_queue_attributes(QueueUrl=created["FailureQueue"], Attributes={"Policy": queue_policy})
    read = json.loads(sqs.get_queue_attributes(QueueUrl=created["FailureQueue"], AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert read == json.loads(queue_policy) and "Fn::" not in queue_policy

    sns = client(moto_server, "sns")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=created["AlarmTopic"])["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "oncall@example.com")]

    cloudwatch = client(moto_server, "cloudwatch")
    board = cloudwatch.get_dashboard(DashboardName=created["Dashboard"])
    assert json.loads(board["DashboardBody"]) == dashboard

    # Alarms: the template's properties as PutMetricAlarm's parameters, the topic resolved.
    for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
        properties = json.loads(json.dumps(alarm["Properties"]).replace('{"Ref": "AlarmTopic"}', json.dumps(created["AlarmTopic"])))
        cloudwatch.put_metric_alarm(**properties)
    names = [a["Properties"]["AlarmName"] for a in of_type(template, "AWS::CloudWatch::Alarm").values()]
    read = {a["MetricName"] + "@" + a["Namespace"]: a for a in cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    assert set(read) == {"ApproximateNumberOfMessagesVisible@AWS/SQS", "IteratorAge@AWS/Lambda", "Errors@AWS/Lambda",
                         "Throttles@AWS/Lambda", "Errors@ddbcdc"}
    assert read["IteratorAge@AWS/Lambda"]["Threshold"] == 20 * 60_000
    queue_name = queue_arn.split(":")[-1]
    assert read["ApproximateNumberOfMessagesVisible@AWS/SQS"]["Dimensions"] == [{"Name": "QueueName", "Value": queue_name}]
    assert all(a["Threshold"] == 0 for k, a in read.items() if k != "IteratorAge@AWS/Lambda")
    assert all(a["AlarmActions"] == [created["AlarmTopic"]] and a["ComparisonOperator"] == "GreaterThanThreshold" for a in read.values())
