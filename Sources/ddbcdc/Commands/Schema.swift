public import ArgumentParser
import Infrastructure
import Parquet
import ProcessKit
public import SparkPlan

extension SchemaInferrer.NumberMode: ExpressibleByArgument {}

/// `ddbcdc schema`: the Spark schema of observed rows.
struct Schema: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case ddl, json, report
    }

    static let configuration = CommandConfiguration(
        abstract: "Infer the Spark schema (and Auto Loader schema hints) from rows, .ndjson.gz or .parquet objects.",
        discussion: """
            Reads rows as `ddbcdc transform` writes them (one JSON object per line; plain or .gz) from a \
            file, every row file under a directory (the objects of `ddbcdc run`), or - for standard \
            input. Parquet objects (`run --format parquet`; a .parquet file, or among the files of a \
            directory) are read back into the same rows: the packed layout's item JSON, the typed layout's \
            columns (decimals as their exact text) and rescued attributes. Numbers become DECIMAL(38,s), s the largest scale seen plus headroom (DynamoDB drops \
            trailing zeros: 19.9 then 19.95), where every value fits 38 digits, and STRING (their exact text) where one does not; never DOUBLE. Maps become \
            STRUCTs (MAP<STRING,…> when their member names look like data), lists and sets ARRAYs. \
            --format ddl prints the column list (a CREATE TABLE body, cloudFiles.schemaHints); json \
            prints Spark's StructType JSON, which `emit-notebook --schema` reads; report prints what \
            was seen per column. A warning names every number column whose observed scales vary.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Rows to read: a file, a directory (row files and .parquet objects), or - for standard input.", valueName: "path"))
    var input: String

    @Option(help: "ddl (column list), json (Spark StructType JSON) or report (per-column observations).")
    var format: Format = .ddl

    @Option(help: ArgumentHelp("The metadata columns' prefix the rows were written with (--metadata-prefix of transform/run); default: the seed's names.", valueName: "prefix"))
    var metadataPrefix: String?

    @Option(help: "How numbers are typed: decimal (DECIMAL(38,s) where every value fits, else STRING) or string (always STRING).")
    var numbers: SchemaInferrer.NumberMode = .decimal

    func run() async throws {
        let inferrer: SchemaInferrer
        do {
            inferrer = try RowFiles.inferSchema(from: input, numbers: numbers, metadataPrefix: metadataPrefix)
        } catch let error as SparkPlanError {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(65)  // EX_DATAERR
        } catch let error as ParquetError {
            printError("ddbcdc: error: \(error.message) [\(error.code)]")
            throw ExitCode(65)
        } catch {
            printError("ddbcdc: \(error)")
            throw ExitCode(66)  // EX_NOINPUT
        }
        guard inferrer.rows > 0 else {
            printError("ddbcdc: error: no rows in \(input)")
            throw ExitCode(65)
        }
        for group in inferrer.caseCollisions {
            printError("ddbcdc: warning: columns \(group.map { "'\($0)'" }.joined(separator: ", ")) differ only in case; Spark would confuse them")
        }
        for line in inferrer.scaleWarnings {
            printError("ddbcdc: warning: \(line)")
        }
        var output = FileSink.standardOutput
        switch format {
        case .ddl: try output.write(inferrer.schema.ddl + "\n")
        case .json: try output.write(inferrer.schema.json.prettyText)
        case .report:
            try output.write("# \(inferrer.rows) rows\n")
            for field in inferrer.schema.fields { try output.write("\(field.ddl)\n") }
            for line in inferrer.report { try output.write("# \(line)\n") }
        }
        try output.flush()
    }
}
