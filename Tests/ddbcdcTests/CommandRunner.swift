import Foundation

/// Runs the built `ddbcdc` binary, as a user would.
struct CommandRunner {
    struct Outcome {
        var status: Int32
        var terminatedBySignal: Bool
        var stdout: Data
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The `ddbcdc` built beside this test bundle (or `DDBCDC_BIN`).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["DDBCDC_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("ddbcdc")
    }

    /// Runs `ddbcdc` with files for its standard streams, so no pipe can fill up and block.
    static func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]) throws -> Outcome {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = ["in", "out", "err"].map { dir.appendingPathComponent($0) }
        try stdin.write(to: paths[0])
        FileManager.default.createFile(atPath: paths[1].path, contents: nil)
        FileManager.default.createFile(atPath: paths[2].path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = try FileHandle(forReadingFrom: paths[0])
        process.standardOutput = try FileHandle(forWritingTo: paths[1])
        process.standardError = try FileHandle(forWritingTo: paths[2])
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, terminatedBySignal: process.terminationReason == .uncaughtSignal,
            stdout: try Data(contentsOf: paths[1]), stderr: String(decoding: try Data(contentsOf: paths[2]), as: UTF8.self))
    }

    /// Runs another program found on PATH (`gzip`, …).
    static func tool(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, terminatedBySignal: false, stdout: data, stderr: "")
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ddbcdc-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
