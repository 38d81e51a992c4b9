import Foundation
import SparkPlan
import Testing

@testable import Infrastructure

/// `emit-notebook`'s settings: a --config file, options over it, a DescribeTable key schema, and
/// the refusals, without running the command.
@Suite struct NotebookSettingsTests {
    /// A file holding `text`, removed by the caller's `defer`.
    static func file(_ text: String, name: String = "f.json") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ddbcdc-infra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    static func invalidConfig(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as SparkPlanError {
            return error.code == .invalidConfig ? error.message : "another code: \(error)"
        } catch {
            return "another error: \(error)"
        }
    }

    @Test func optionsWinOverTheConfigFileAndTheRestComesFromIt() throws {
        let config = try Self.file(
            #"{"source": "s3://b/from-file", "table": "c.s.t", "keys": "pk, sk", "delete_mode": "hard", "grant_select": ["analysts"], "tombstone_retention_days": 7}"#
        )
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        var settings = NotebookSettings()
        settings.config = config.path
        settings.source = "s3://b/from-option"
        settings.deleteMode = .soft
        let plan = try settings.planConfig()
        #expect(plan.sourcePath == "s3://b/from-option")
        #expect(plan.target.description == "c.s.t" || plan.target.description == "`c`.`s`.`t`")
        #expect(plan.keys == ["pk", "sk"])
        #expect(plan.deleteMode == .soft)
        #expect(plan.tombstoneRetentionDays == 7)
        #expect(plan.grants == [Grant(.select, to: "analysts")])
    }

    @Test func aMisspeltSettingIsRefusedByName() throws {
        let config = try Self.file(#"{"source": "s3://b/p", "table": "c.s.t", "keys": ["pk"], "delete_mdoe": "hard"}"#)
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        var settings = NotebookSettings()
        settings.config = config.path
        let message = Self.invalidConfig { _ = try settings.planConfig() }
        #expect(message?.contains("unknown setting 'delete_mdoe'") == true, "\(message ?? "accepted")")
    }

    @Test(arguments: [
        (#"{"delete_mode": "sometimes"}"#, "delete_mode is soft or hard"),
        (#"{"tombstone_retention_days": 1.5}"#, "tombstone_retention_days is a whole number"),
        (#"{"numbers": "float"}"#, "numbers is decimal or string"),
        ("[1, 2]", "a config file is a JSON object"),
    ])
    func aBadSettingSaysWhich(_ json: String, _ says: String) throws {
        let base = #"{"source": "s3://b/p", "table": "c.s.t", "keys": ["pk"], "#
        let config = try Self.file(json.hasPrefix("{") ? String(base.dropLast()) + String(json.dropFirst()) : json)
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        var settings = NotebookSettings()
        settings.config = config.path
        let message = Self.invalidConfig { _ = try settings.planConfig() }
        #expect(message != nil, "accepted: \(json)")
        #expect(message?.contains(says) == true, "\(message ?? "")")
    }

    @Test func withoutASourceTableOrKeysItSaysWhichIsMissing() {
        var settings = NotebookSettings()
        #expect(Self.invalidConfig { _ = try settings.planConfig() }?.contains("no --source") == true)
        settings.source = "s3://b/p"
        #expect(Self.invalidConfig { _ = try settings.planConfig() }?.contains("no --table") == true)
        settings.table = "c.s.t"
        #expect(Self.invalidConfig { _ = try settings.planConfig() }?.contains("no --keys") == true)
    }

    @Test func notificationsComeFromTheConfigFileAndAnOptionWins() throws {
        let hook = "0481e838-0a59-4eff-9541-a4ca6f149574"
        let config = try Self.file(
            #"{"source": "s3://b/p", "table": "c.s.t", "keys": ["pk"], "notify_email": ["a@example.com", "b@example.com"], "notify_webhook_id": "\#(hook)"}"#
        )
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        var settings = NotebookSettings()
        settings.config = config.path
        var plan = try settings.planConfig()
        #expect(plan.notifyEmails == ["a@example.com", "b@example.com"])
        #expect(plan.notifyWebhookIDs == [hook])
        settings.notifyEmail = ["c@example.com"]
        plan = try settings.planConfig()
        #expect(plan.notifyEmails == ["c@example.com"])
        #expect(plan.notifyWebhookIDs == [hook])
    }

    @Test(arguments: [
        (#""notify_email": ["oncall"]"#, "'oncall' is not an email address"),
        (#""notify_email": ["on call@example.com"]"#, "is not an email address"),
        (#""notify_email": ["a@example"]"#, "is not an email address"),
        (#""notify_email": ["<ops@example.com>"]"#, "is not an email address"),
        (#""notify_email": ["a@example.com", "A@example.com"]"#, "'a@example.com' is named twice"),
        (#""notify_email": ["a@example.com", 7]"#, "notify_email is a list of text, and 7 is not text"),
        (#""notify_webhook_id": ["https://hooks.slack.com/services/T0/B0/x"]"#, "is not a destination id"),
        (
            #""notify_webhook_id": ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003", "00000000-0000-0000-0000-000000000004"]"#,
            "4 notification destinations: a job takes at most 3"
        ),
    ])
    func aBadNotificationIsRefusedAndNamed(_ setting: String, _ says: String) throws {
        let config = try Self.file(#"{"source": "s3://b/p", "table": "c.s.t", "keys": ["pk"], "# + setting + "}")
        defer { try? FileManager.default.removeItem(at: config.deletingLastPathComponent()) }
        var settings = NotebookSettings()
        settings.config = config.path
        let message = Self.invalidConfig { _ = try settings.planConfig() }
        #expect(message?.contains(says) == true, "\(message ?? "accepted: \(setting)")")
    }

    @Test func keysComeFromADescribeTableResponseHashFirst() throws {
        let response = try JSONValue.parse(
            Array(
                #"{"Table": {"KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}, {"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "gsi", "AttributeType": "S"}]}}"#
                    .utf8))
        let keys = try KeySchema(describeTable: response)
        #expect(keys.names == ["pk", "sk"])
        #expect(Set(keys.types.keys) == ["pk", "sk"])
    }

    @Test func aKeySchemaWithoutAHashKeyIsRefused() throws {
        let response = try JSONValue.parse(Array(#"{"KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}]}"#.utf8))
        #expect(Self.invalidConfig { _ = try KeySchema(describeTable: response) }?.contains("no HASH key") == true)
        let none = try JSONValue.parse(Array(#"{"Table": {}}"#.utf8))
        #expect(Self.invalidConfig { _ = try KeySchema(describeTable: none) }?.contains("describe-table") == true)
    }

    @Test func aListSettingIsAnArrayOrCommaSeparatedText() throws {
        let file = ConfigFile(values: [("a", .array([.string("x"), .string("y")])), ("b", .string(" x , y ")), ("a", .string("z"))])
        #expect(file.strings("a") == ["z"], "the last of a name wins")
        #expect(file.strings("b") == ["x", "y"])
        #expect(file.strings("c") == nil)
    }

    @Test func rowFilesReadPlainAndGzipLineByLine() throws {
        let plain = try Self.file("{\"a\":1}\n\n{\"a\":2}", name: "rows.ndjson")
        defer { try? FileManager.default.removeItem(at: plain.deletingLastPathComponent()) }
        var lines: [String] = []
        try RowFiles.forEachLine(of: plain.path) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == [#"{"a":1}"#, "", #"{"a":2}"#])
        #expect(try RowFiles.readFile(plain.path) == Array("{\"a\":1}\n\n{\"a\":2}\n".utf8))
        let inferrer = try RowFiles.inferSchema(from: plain.path, numbers: .decimal)
        #expect(inferrer.rows == 2)
    }

    @Test func aRowThatIsNotJSONIsNamedByFileAndLine() throws {
        let rows = try Self.file("{\"a\":1}\nnot json\n", name: "rows.ndjson")
        defer { try? FileManager.default.removeItem(at: rows.deletingLastPathComponent()) }
        do {
            _ = try RowFiles.inferSchema(from: rows.path, numbers: .decimal)
            Issue.record("accepted a line that is not JSON")
        } catch let error as SparkPlanError {
            #expect(error.message.hasPrefix("\(rows.path): line 2: "), "\(error)")
        }
    }
}
