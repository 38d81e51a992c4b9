"""`ddbcdc emit-infra`'s files, judged by AWS's own tooling rather than by our reading of them:

  * template.yaml -- cfn-lint (the CloudFormation linter, with the SAM transform it runs through
    aws-sam-translator): no error, no warning, no informational finding;
  * the same template transformed by aws-sam-translator into plain CloudFormation: one IAM role (ours,
    so SAM attaches no AWSLambdaDynamoDBExecutionRole with its "*" resources), no managed policy, no
    "*" resource anywhere, and an AWS::Lambda::EventSourceMapping whose settings are the mapping file's;
  * event-source-mapping.json -- botocore's validator against Lambda's CreateEventSourceMapping
    input shape, and cfn-lint as an AWS::Lambda::EventSourceMapping's properties (ranges, enums);
  * iam-policy.json -- cfn-lint as an AWS::IAM::ManagedPolicy's document (action names, ARN shapes);
  * with --backfill: the template's AWS::StepFunctions::StateMachine, whose Definition cfn-lint checks
    against its Amazon States Language schema (E3601: state types, fields, StartAt/Next), shown to
    catch a broken definition; backfill-state-machine.asl.json the same way as a resource's
    Definition, and backfill-iam-policy.json as a managed policy's document; and the definition run
    by moto's Step Functions interpreter (input check, paths, items, each child's event).

    swift build && .venv/bin/python -m pytest Tests/lambda/test_emit_infra.py -q
"""
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, fail

STREAM = "arn:aws:dynamodb:eu-west-1:210987654321:table/fleet-devices/stream/2026-01-01T00:00:00.000"
KEY = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = "arn:aws:sqs:eu-west-1:210987654321:cdc-dlq"

VARIANTS = {
    "defaults": [],
    "kms-and-prefix": ["--prefix", "cdc/fleet-devices", "--kms-key-arn", KEY, "--function-name", "fleet_cdc"],
    "existing-queue-arm64": ["--on-failure-queue-arn", QUEUE, "--architecture", "arm64", "--memory", "2048",
                             "--timeout", "900", "--batch-size", "10000", "--batching-window", "300",
                             "--max-retries", "-1", "--max-record-age", "-1", "--log-retention-days", "3653"],
    # Odd but valid names (S3Sink's ObjectPrefix refuses `//`, `.`, `..` and control characters,
    # as the function does at init); the `/` at either end is dropped.
    "backfill": ["--prefix", "cdc/fleet-devices", "--backfill", "--export-bucket", "lake-exports", "--export-prefix",
                 "exports/fleet", "--backfill-concurrency", "40", "--timeout", "900", "--memory", "2048"],
    "backfill-no-export-prefix": ["--backfill", "--export-bucket", "lake-raw"],
    "odd-prefix": ["--prefix", '/a "quoted" \\ prefix/ünï #: {x} - [y] & \'z\' %41/', "--batching-window", "0",
                   "--max-retries", "0", "--max-record-age", "60", "--batch-size", "1"],
}


def emit(ddbcdc, out, args):
    result = subprocess.run([str(ddbcdc), "emit-infra", "--stream-arn", STREAM, "--bucket", "lake-raw", "--out", str(out), *args],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        fail(f"emit-infra {args} failed ({result.returncode}): {result.stderr}")
    return (json.loads((out / "iam-policy.json").read_text()), json.loads((out / "event-source-mapping.json").read_text()),
            (out / "template.yaml").read_text())


def cfn_lint(text, regions=("eu-west-1",)):
    """All of cfn-lint's findings (errors, warnings and informational) on a template's text."""
    from cfnlint.api import ManualArgs, lint
    matches = lint(text, config=ManualArgs(regions=list(regions), include_checks=["I"]))
    return [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches]


def sam_transform(template):
    """aws-sam-translator's CloudFormation for a SAM template (CodeUri made an S3 location, as
    `sam deploy` would after uploading the zip)."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    template = json.loads(json.dumps(template))
    template["Resources"]["Function"]["Properties"]["CodeUri"] = "s3://deploy-bucket/ddbcdc-lambda.zip"
    return transform(template, {}, NoManagedPolicies())


def iam_resources(node):
    """Every Resource value in IAM statements anywhere under node."""
    found = []
    if isinstance(node, dict):
        if "Effect" in node and "Resource" in node:
            value = node["Resource"]
            found += value if isinstance(value, list) else [value]
        for child in node.values():
            found += iam_resources(child)
    elif isinstance(node, list):
        for child in node:
            found += iam_resources(child)
    return found


@pytest.fixture(params=sorted(VARIANTS))
def emitted(request, ddbcdc, tmp_path):
    out = tmp_path / "infra"
    return request.param, *emit(ddbcdc, out, VARIANTS[request.param])


def test_cfn_lint_finds_nothing_in_the_template(emitted):
    name, _, _, text = emitted
    findings = cfn_lint(text)
    assert findings == [], f"{name}:\n" + "\n".join(findings)


def test_the_transformed_template_has_one_role_of_ours_and_no_wildcard(emitted):
    name, policy, mapping, text = emitted
    template = yaml.safe_load(text)
    resources = sam_transform(template)["Resources"]
    roles = {k: v for k, v in resources.items() if v["Type"] == "AWS::IAM::Role"}
    backfill = "--backfill" in VARIANTS[name]
    assert list(roles) == ["FunctionRole"] + (["BackfillRole"] if backfill else []), f"SAM generated a role: {list(roles)}"
    assert all("ManagedPolicyArns" not in role["Properties"] for role in roles.values())
    assert not [k for k, v in resources.items() if v["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")]
    everything = iam_resources(resources)
    assert everything and all(r != "*" for r in everything), everything
    # A "*" is a whole trailing segment (anything under a prefix, any stream of a log group), or, in
    # the backfill's grants, the one segment not known at deploy time: the export's ID.
    for r in everything:
        if isinstance(r, str) and "*" in r:
            assert r.endswith(("/*", ":*")) or (backfill and "/AWSDynamoDB/*/" in r), r
            assert all(segment == "*" for segment in r.split("/") if "*" in segment), r

    function = resources["Function"]["Properties"]
    assert function["Runtime"] == "provided.al2023" and function["Handler"] == "bootstrap"
    assert function["Role"] == {"Fn::GetAtt": ["FunctionRole", "Arn"]}
    assert function["Environment"]["Variables"]["S3_BUCKET"] == "lake-raw"

    mappings = [v["Properties"] for v in resources.values() if v["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert len(mappings) == 1
    esm = mappings[0]
    for field in ["EventSourceArn", "StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds", "MaximumRetryAttempts",
                  "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "FunctionResponseTypes", "Enabled"]:
        assert esm[field] == mapping[field], field
    destination = esm["DestinationConfig"]["OnFailure"]["Destination"]
    if "--on-failure-queue-arn" in VARIANTS[name]:
        assert destination == mapping["DestinationConfig"]["OnFailure"]["Destination"] == QUEUE
        assert not [k for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"]
    else:
        assert destination == {"Fn::GetAtt": ["FailureQueue", "Arn"]}
        queue = resources["FailureQueue"]["Properties"]
        assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(":" + queue["QueueName"])

    # The role's policy is the standalone policy, but for what the stack itself creates.
    stack_policy = roles["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    standalone = {s["Sid"]: s for s in policy["Statement"]}
    for statement in stack_policy["Statement"]:
        twin = standalone[statement["Sid"]]
        if isinstance(statement["Resource"], str):
            assert statement == twin
        else:
            assert statement["Resource"] in ({"Fn::GetAtt": ["FailureQueue", "Arn"]}, {"Fn::GetAtt": ["LogGroup", "Arn"]})


def test_the_backfill_state_machine_invokes_the_function_with_its_own_least_privilege_role(emitted):
    name, policy, _, text = emitted
    resources = yaml.safe_load(text)["Resources"]
    machines = {k: v for k, v in resources.items() if v["Type"] == "AWS::StepFunctions::StateMachine"}
    if "--backfill" not in VARIANTS[name]:
        assert machines == {} and "BackfillRole" not in resources
        assert all("s3:GetObject" not in s["Action"] for s in policy["Statement"]), "the function reads nothing without --backfill"
        return
    machine = machines["BackfillStateMachine"]["Properties"]
    assert machine["RoleArn"] == {"Fn::GetAtt": ["BackfillRole", "Arn"]}
    assert machine["DefinitionSubstitutions"] == {"FunctionArn": {"Fn::GetAtt": ["Function", "Arn"]}}
    task = machine["Definition"]["States"]["BackfillTheDataFiles"]["ItemProcessor"]["States"]["BackfillOneDataFile"]
    assert task["Parameters"]["FunctionName"] == "${FunctionArn}"
    role = resources["BackfillRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    statements = {s["Sid"]: s for s in role["Policies"][0]["PolicyDocument"]["Statement"]}
    assert statements["InvokeTheFunction"] == {"Sid": "InvokeTheFunction", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                                               "Resource": {"Fn::GetAtt": ["Function", "Arn"]}}
    exports = VARIANTS[name][VARIANTS[name].index("--export-bucket") + 1]
    where = "exports/fleet/AWSDynamoDB" if "--export-prefix" in VARIANTS[name] else "AWSDynamoDB"
    assert statements["ReadTheExportsManifestOfDataFiles"]["Resource"] == f"arn:aws:s3:::{exports}/{where}/*/manifest-files.json"
    function_reads = {s["Sid"]: s for s in policy["Statement"]}["ReadTheExport"]
    assert function_reads["Action"] == ["s3:GetObject"] and function_reads["Resource"] == f"arn:aws:s3:::{exports}/{where}/*"


def state_machine_template(definition):
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Machine": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"RoleArn": "arn:aws:iam::210987654321:role/backfill", "Definition": definition}}}})


def test_the_standalone_backfill_files_pass_cfn_lint(ddbcdc, tmp_path):
    out = tmp_path / "o"
    emit(ddbcdc, out, VARIANTS["backfill"])
    definition = json.loads((out / "backfill-state-machine.asl.json").read_text())
    assert cfn_lint(state_machine_template(definition)) == []
    assert definition["States"]["BackfillTheDataFiles"]["ItemReader"]["ReaderConfig"] == {"InputType": "JSONL"}
    policy = json.loads((out / "backfill-iam-policy.json").read_text())
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                       "Resources": {"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": policy}}}})
    assert cfn_lint(text) == []
    assert all(not a.endswith("*") for s in policy["Statement"] for a in s["Action"])
    assert all(s["Resource"].startswith("arn:aws:") and s["Resource"] != "*" for s in policy["Statement"])


@pytest.mark.parametrize("breakage", ["start-at-nowhere", "unknown-field", "wrong-type"])
def test_cfn_lint_checks_the_state_machines_definition(ddbcdc, tmp_path, breakage):
    """The lint above is only worth something if cfn-lint reads the definition: each breakage of the
    emitted template's definition must be reported (E3601, the state machine schema). cfn-lint checks
    that each StartAt names a state but not each Next: BackfillStateMachineTests checks those."""
    _, _, text = emit(ddbcdc, tmp_path / "o", VARIANTS["backfill"])
    template = yaml.safe_load(text)
    states = template["Resources"]["BackfillStateMachine"]["Properties"]["Definition"]["States"]
    if breakage == "start-at-nowhere":
        states["BackfillTheDataFiles"]["ItemProcessor"]["StartAt"] = "NoSuchState"
    elif breakage == "unknown-field":
        states["BackfillTheDataFiles"]["ItemProcesor"] = states["BackfillTheDataFiles"].pop("ItemProcessor")
    else:
        states["BackfillTheDataFiles"]["MaxConcurrency"] = "forty"
    findings = cfn_lint(yaml.safe_dump(template))
    assert any(f.startswith("E3601") for f in findings), findings


def run_in_moto(definition, manifest_lines, inputs):
    """Runs `definition` in moto's Step Functions (an Amazon States Language interpreter derived
    from LocalStack's, in process) over a moto S3 holding the export's manifest-files.json, once per
    input; returns (status, output or error) per input, and the keys then in the export bucket."""
    import time
    import boto3
    from moto import mock_aws
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="lake-exports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_object(Bucket="lake-exports", Key="exports/fleet/AWSDynamoDB/01700000000000-a1b2c3d4/manifest-files.json",
                      Body=json.dumps(manifest_lines).encode())
        sfn = boto3.client("stepfunctions", region_name="eu-west-1")
        machine = sfn.create_state_machine(name="ddbcdc-fleet-devices-backfill", definition=json.dumps(definition),
                                           roleArn="arn:aws:iam::123456789012:role/backfill")["stateMachineArn"]
        outcomes = []
        for number, execution_input in enumerate(inputs):
            arn = sfn.start_execution(stateMachineArn=machine, name=f"run-{number}", input=json.dumps(execution_input))["executionArn"]
            for _ in range(600):
                described = sfn.describe_execution(executionArn=arn)
                if described["status"] != "RUNNING":
                    break
                time.sleep(0.05)
            outcomes.append((described["status"],
                             json.loads(described["output"]) if "output" in described else described.get("error")))
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake-exports").get("Contents", [])]
    return outcomes, keys


def test_the_definition_runs_in_an_asl_interpreter(ddbcdc, tmp_path, monkeypatch):
    """The emitted definition, run: the input check, the paths, the items read from the manifest and
    the event each child gets, the results' location. What the copy run here changes, each because
    moto's interpreter lacks it: its ItemReader reads no JSONL, so it is given the same lines as a
    JSON array (InputType JSON); its grammar has no ToleratedFailurePercentage; and the Lambda task
    is a Pass state that returns its input, the event the function would get (moto's Lambda needs
    Docker). The function's side of the task is tested under the Runtime Interface Emulator."""
    for name in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SFN", "AWS_PROFILE", "AWS_CONFIG_FILE"]:
        monkeypatch.delenv(name, raising=False)  # moto answers only AWS's own endpoints, in process
    out = tmp_path / "o"
    emit(ddbcdc, out, VARIANTS["backfill"])
    definition = json.loads((out / "backfill-state-machine.asl.json").read_text())
    the_map = definition["States"]["BackfillTheDataFiles"]
    assert the_map["ItemReader"]["ReaderConfig"] == {"InputType": "JSONL"} and the_map.pop("ToleratedFailurePercentage") == 0
    the_map["ItemReader"]["ReaderConfig"]["InputType"] = "JSON"
    the_map["ItemProcessor"]["States"]["BackfillOneDataFile"] = {"Type": "Pass", "End": True}
    folder = "exports/fleet/AWSDynamoDB/01700000000000-a1b2c3d4/"
    lines = [{"dataFileS3Key": f"{folder}data/{name}.json.gz", "itemCount": count, "md5Checksum": f"md5-{count}",
              "etag": f"etag-{count}"} for count, name in enumerate(["aaaa", "bbbb", "cccc"])]
    good = [{"exportId": "01700000000000-a1b2c3d4"}, {"exportId": "01700000000000-a1b2c3d4", "overlapSeconds": 0}]
    bad = [{}, {"exportId": ""}, {"exportId": "exports/fleet/AWSDynamoDB/01700000000000-a1b2c3d4"}, {"exportId": 17},
           {"exportId": "01700000000000-a1b2c3d4", "overlapSeconds": -1}, {"exportId": "01700000000000-a1b2c3d4", "overlapSeconds": "300"}]

    # As emitted (with the results written to S3): the output names the Map Run's results under the prefix.
    outcomes, keys = run_in_moto(definition, lines, good + bad)
    for status, output in outcomes[:2]:
        assert status == "SUCCEEDED", output
        assert output["ResultWriterDetails"]["Bucket"] == "lake-exports"
        assert output["ResultWriterDetails"]["Key"].startswith("exports/fleet/ddbcdc-backfill/"), output
        assert output["ResultWriterDetails"]["Key"] in keys
    assert outcomes[2:] == [("FAILED", "ddbcdc.BadInput")] * len(bad)

    # Without the writer the children's outputs are the Map's: each is the event the function gets.
    del the_map["ResultWriter"]
    outcomes, _ = run_in_moto(definition, lines, good)
    for (status, output), overlap in zip(outcomes, [300, 0]):
        assert status == "SUCCEEDED", output
        assert output == [{"backfill": {"export": f"s3://lake-exports/{folder}", "dataFile": line, "overlapSeconds": overlap}}
                          for line in lines]


def test_the_mapping_is_a_valid_CreateEventSourceMapping_input(emitted):
    name, _, mapping, _ = emitted
    import botocore.session
    from botocore.validate import ParamValidator
    model = botocore.session.get_session().get_service_model("lambda").operation_model("CreateEventSourceMapping")
    report = ParamValidator().validate(mapping, model.input_shape)
    assert not report.has_errors(), report.generate_report()
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True and mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["EventSourceArn"] == STREAM

    # The same settings as a CloudFormation resource: cfn-lint knows the service's ranges and enums.
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                       "Resources": {"Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": mapping}}})
    assert cfn_lint(text) == []


def test_the_policy_passes_cfn_lint_and_names_every_resource(emitted):
    name, policy, _, _ = emitted
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                       "Resources": {"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": policy}}}})
    assert cfn_lint(text) == []
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadTheTableStream"]["Resource"] == STREAM
    assert ("EncryptObjectsWithTheKey" in statements) == ("--kms-key-arn" in VARIANTS[name])
    for statement in policy["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert all(r.startswith("arn:aws:") for r in resources), resources
        assert all(not a.endswith("*") for a in statement["Action"])


def test_the_prefix_in_the_policy_is_the_prefix_the_function_writes(ddbcdc, tmp_path):
    policy, _, text = emit(ddbcdc, tmp_path / "o", VARIANTS["odd-prefix"])
    resource = {s["Sid"]: s for s in policy["Statement"]}["WriteObjectsUnderThePrefix"]["Resource"]
    prefix = '''a "quoted" \\ prefix/ünï #: {x} - [y] & 'z' %41'''
    assert resource == f"arn:aws:s3:::lake-raw/{prefix}/*"
    variables = yaml.safe_load(text)["Resources"]["Function"]["Properties"]["Environment"]["Variables"]
    assert variables["S3_PREFIX"] == prefix


def test_code_uri_points_from_the_template_to_the_zip(ddbcdc, tmp_path):
    work = tmp_path / "work"
    (work / "build" / "lambda").mkdir(parents=True)
    (work / "build" / "lambda" / "ddbcdc-lambda-x86_64.zip").write_bytes(b"PK")
    result = subprocess.run([str(ddbcdc), "emit-infra", "--stream-arn", STREAM, "--bucket", "lake-raw", "--out", "deploy/infra"],
                            capture_output=True, text=True, cwd=work)
    assert result.returncode == 0, result.stderr
    template = yaml.safe_load((work / "deploy" / "infra" / "template.yaml").read_text())
    code_uri = template["Resources"]["Function"]["Properties"]["CodeUri"]
    assert code_uri == "../../build/lambda/ddbcdc-lambda-x86_64.zip"
    assert (work / "deploy" / "infra" / code_uri).resolve() == (work / "build" / "lambda" / "ddbcdc-lambda-x86_64.zip").resolve()
    assert "does not exist" not in result.stderr
