import ArgumentParser
import Pipeline

/// The `ddbcdc` command: DynamoDB Streams changes into lakehouse-ready rows (started by main.swift).
struct DDBCDC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddbcdc",
        abstract: "Carry every change of a DynamoDB table into a Databricks lakehouse.",
        version: ddbcdcVersion,
        subcommands: [
            Transform.self, Run.self, Backfill.self, Stream.self, LambdaCommand.self, InvokeLocal.self, EmitInfra.self, EmitNotebook.self, Schema.self,
        ]
    )
}

/// A command that SIGINT and SIGTERM stop gracefully (``Lifecycle``): main.swift blocks the two
/// signals on the main thread before the command runs.
protocol StopsOnSignal {}
