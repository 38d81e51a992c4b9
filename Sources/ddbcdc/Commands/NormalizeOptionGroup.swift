public import ArgumentParser
public import StreamNormalize
public import DDBTypes
import Timekeeping

extension RowLayout: ExpressibleByArgument {}
extension NumberOutput: ExpressibleByArgument {}
extension TombstoneImage: ExpressibleByArgument {}
extension UpdatedAtFallback: ExpressibleByArgument {}

/// The options that shape rows, shared by every command that writes them.
struct NormalizeOptionGroup: ParsableArguments, Sendable {
    @Option(help: "Row shape: flat (item attributes at the top level) or envelope (op, keys, before, after).")
    var layout: RowLayout = .flat

    @Option(help: "DynamoDB numbers as exact JSON numbers or as strings (for readers that would round them).")
    var numbers: NumberOutput = .exact

    @Option(help: "What a REMOVE's row carries in the flat layout: the keys, or the old image (keys when the stream has none).")
    var tombstone: TombstoneImage = .keys

    @Option(
        name: .customLong("updated-at"),
        help: "Fill a missing updated_at from the change time: off, epoch-ms, epoch-s or iso8601.")
    var updatedAt: UpdatedAtFallback = .off

    @Option(
        name: .customLong("ingest-ts"),
        help: ArgumentHelp(
            "_ingestTs: now, none (leave the column out) or fixed epoch milliseconds. Default: now for transform; none for run, so that a rerun writes identical objects.",
            valueName: "now|none|ms"))
    var ingestTs: String?

    @Option(
        name: .customLong("metadata-prefix"),
        help: ArgumentHelp(
            "Rename the metadata columns as a set: PREFIX + eventName, eventId, seq, approxStreamTs, ingestTs, is_deleted, ttlDelete (for items with attributes such as is_deleted or _seq). Give emit-notebook and schema the same prefix. Default: the seed's names (_eventName, …, is_deleted, _ttlDelete).",
            valueName: "prefix"))
    var metadataPrefix: String?

    func validate() throws {
        if let metadataPrefix, let problem = MetadataNames.problem(withPrefix: metadataPrefix) {
            throw ValidationError("--metadata-prefix: \(problem)")
        }
        guard let ingestTs else { return }
        guard ingestTs == "now" || ingestTs == "none" || Int64(ingestTs).map({ $0 >= 0 }) == true else {
            throw ValidationError("--ingest-ts must be now, none or epoch milliseconds, not '\(ingestTs)'")
        }
    }

    /// The options, with `now` read from `clock`; `defaultIngest` applies when `--ingest-ts` is not given.
    func normalizeOptions(defaultIngest: String, clock: EpochClock) -> NormalizeOptions {
        let ingestTime: Int64? =
            switch ingestTs ?? defaultIngest {
            case "none": nil
            case "now": clock.now().rawValue
            default: Int64(ingestTs ?? defaultIngest)
            }
        return NormalizeOptions(
            layout: layout, numbers: numbers, tombstoneImage: tombstone, updatedAtFallback: updatedAt, ingestTime: ingestTime,
            metadataNames: MetadataNames(prefix: metadataPrefix))
    }
}
