import AWSCore
import ArgumentParser
import S3Sink
import Testing

@testable import LambdaRuntime
@testable import ddbcdc

/// `ddbcdc run` and the Lambda function build their S3 sink through one factory from
/// ``S3SinkSettings``; these tests fail if either names retry defaults of its own again (they
/// had drifted to 5 attempts, 200 ms – 10 s in one and 3 attempts, 100 ms – 2 s in the other).
@Suite struct RunCommandLambdaS3SettingsTests {
    static let lambdaEnvironment = ["S3_BUCKET": "b", "AWS_REGION": "eu-west-1"]

    @Test func theCommandAndTheFunctionRetryAlike() throws {
        let command = try S3Options.parse([]).settings(bucket: "b")
        let function = try LambdaConfiguration(environment: Self.lambdaEnvironment).s3Settings
        #expect(command.retry == function.retry)
        #expect(command.retry == RetryPolicy(), "both use RetryPolicy's documented defaults")
        #expect(command.multipartThreshold == function.multipartThreshold && command.partSize == function.partSize)
    }

    @Test func maxAttemptsChangesOnlyTheAttemptsInBoth() throws {
        let command = try S3Options.parse(["--max-attempts", "2"]).settings(bucket: "b")
        let function = try LambdaConfiguration(environment: Self.lambdaEnvironment.merging(["DDBCDC_MAX_ATTEMPTS": "2"]) { $1 }).s3Settings
        #expect(command.retry == function.retry)
        #expect(command.retry == RetryPolicy(maxAttempts: 2))
    }

    @Test func theCommandsHelpStatesTheRealDefault() {
        #expect(S3Options.helpMessage(columns: 1000).contains("default \(RetryPolicy().maxAttempts)"))
    }
}
