import Foundation
import Testing

/// `ddbcdc backfill`'s usage errors, end to end (the rows, the checks, resume and parts are in
/// Tests/backfill against generated exports; S3 in Tests/s3/test_s3_reads.py).
@Suite struct BackfillCommandTests {
    @Test(arguments: [
        (["--overlap", "5 minutes"], "--overlap must be a duration"),
        (["--overlap=-5m"], "--overlap must be a duration"),
        (["--overlap", "5d"], "--overlap must be a duration"),
        (["--part", "0/2"], "--part must be i/N"),
        (["--part", "3/2"], "--part must be i/N"),
        (["--part", "1/0"], "--part must be i/N"),
        (["--part", "2"], "--part must be i/N"),
    ])
    func badOptionsAreUsageErrors(_ extra: [String], _ says: String) throws {
        let outcome = try CommandRunner.run(["backfill", "--export", "/nonexistent", "--sink", NSTemporaryDirectory() + "x"] + extra)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(says), "\(outcome.stderr)")
    }

    @Test(arguments: ["0s", "250ms", "300s", "5m", "1h", "90"])
    func durationsAreAccepted(_ overlap: String) throws {
        // Accepted: the command goes on to the export, which is not there (66).
        let outcome = try CommandRunner.run(["backfill", "--export", "/nonexistent", "--sink", NSTemporaryDirectory() + "x", "--overlap", overlap])
        #expect(outcome.status == 66, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("no DynamoDB export here"))
    }
}
