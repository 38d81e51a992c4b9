import ProcessKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a backfill has finished, kept in a file so that an interrupted one goes on where it
/// stopped: the data files whose every line is durable, by their manifest key.
///
/// `{"exportId":"01767225600000-a1b2c3d4","part":"1/4","finished":["AWSDynamoDB/…/data/a.json.gz",…]}`,
/// replaced atomically each time a file is finished.
struct BackfillResume: Codable, Sendable, Equatable {
    /// The export it belongs to.
    var exportId: String
    /// `i/N` for one worker of N, or `nil` for all the files.
    var part: String?
    /// Finished data files, in the order they finished.
    var finished: [String]

    init(exportId: String, part: String?, finished: [String] = []) {
        self.exportId = exportId
        self.part = part
        self.finished = finished
    }

    /// The resume file at `path`, or `nil` when there is none.
    /// - Throws: a message when it exists but cannot be read, or belongs to another export or part.
    static func load(_ path: String, exportId: String, part: String?) throws -> BackfillResume? {
        guard access(path, F_OK) == 0 else { return nil }
        let bytes: [UInt8]
        do { bytes = try readWholeFile(path) } catch {
            throw ResumeFileError(path: path, message: "\(error)")
        }
        let resume: BackfillResume
        do { resume = try JSONDecoder().decode(BackfillResume.self, from: Data(bytes)) } catch {
            throw ResumeFileError(path: path, message: "not a ddbcdc backfill resume file: \(error)")
        }
        guard resume.exportId == exportId, resume.part == part else {
            throw ResumeFileError(
                path: path,
                message: "it belongs to export \(resume.exportId)\(resume.part.map { " part \($0)" } ?? ""), not \(exportId)\(part.map { " part \($0)" } ?? ""): give another --resume-file, or --no-resume to start afresh")
        }
        return resume
    }

    /// Writes the file atomically.
    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try writeFileAtomically(path, Array(try encoder.encode(self)) + [0x0A])
    }
}

/// A resume file that cannot be used, and why.
struct ResumeFileError: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "resume file \(path): \(message)" }
}
