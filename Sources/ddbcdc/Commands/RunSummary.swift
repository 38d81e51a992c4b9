import Pipeline
import ProcessKit
import Timekeeping

/// In the command, not in Pipeline: the Lambda bootstrap links Pipeline and needs none of this
/// (its zip has a size goal).
extension EngineReport {
    /// `ddbcdc run`'s one-line summary: what was read, written, set aside, passed over and not written.
    /// - Parameters:
    ///   - listing: what walking the input found (files passed over are counted here).
    ///   - signal: the signal that stopped reading, if one did.
    ///   - format: what the objects hold.
    func runSummary(elapsedMillis: Int64, listing: InputFiles.Listing? = nil, signal: Int32? = nil, format: ObjectFormat = .json) -> String {
        func megabytes(_ bytes: Int) -> String {
            if bytes < 100_000 { return "\(bytes) B" }
            let tenths = (bytes + 50_000) / 100_000
            return "\(tenths / 10).\(tenths % 10) MB"
        }
        let seconds = (Double(elapsedMillis) / 10).rounded() / 100
        var text = "ddbcdc run: \(records) records read, \(rowsWritten) rows written in \(objects) objects"
        text += " (\(megabytes(bytesIn)) NDJSON → \(megabytes(bytesOut)) \(format == .json ? "gzip" : "Parquet"))"
        if rescuedValues > 0 { text += ", \(rescuedValues) value(s) that did not fit the schema kept in _rescued_data" }
        text += stoppedEarly ? ", reading stopped early" : ", \(megabytes(bytesRead)) read"
        text += ", \(setAside) set aside"
        if setAside > 0 { text += " in \(errorObjects) _errors object(s)" }
        if !notWritten.isEmpty { text += ", \(notWritten.count) object(s) NOT written" }
        if let listing {
            if listing.hiddenFiles > 0 || listing.hiddenFolders > 0 {
                text += ", \(listing.hiddenFiles) file(s) and \(listing.hiddenFolders) folder(s) skipped (hidden or _-prefixed)"
            }
            if listing.duplicates > 0 { text += ", \(listing.duplicates) second name(s) of a file or folder read once" }
            if !listing.problems.isEmpty { text += ", \(listing.problems.count) entries not read (links to nothing, loops, FIFOs, unreadable)" }
        }
        if let signal {
            text += ", interrupted by \(SignalWatch.name(signal))"
            if let at = interruptedAt { text += " after \(at.bytesRead) bytes of \(at.input)" }
        }
        text += ", \(seconds) s"
        return text
    }
}

/// A one-line progress report on a terminal's standard error, at most five times a second: each
/// command says what its line holds.
struct Progress {
    private var last: EpochMillis?
    let clock: EpochClock

    init(clock: EpochClock) { self.clock = clock }

    /// Replaces the line with `text` (made only when it is shown).
    mutating func show(_ text: @autoclosure () -> String) {
        let now = clock.now()
        if let last, now.millis(since: last) < 200 { return }
        last = now
        printError("\r\u{1B}[K  " + text(), newline: false)
    }

    /// `run`'s line: rows, objects, records set aside.
    mutating func show<Position>(_ report: EngineReport<Position>) {
        show("\(report.rows) rows · \(report.objects) objects written · \(report.setAside) set aside")
    }

    func clear() { printError("\r\u{1B}[K", newline: false) }
}
