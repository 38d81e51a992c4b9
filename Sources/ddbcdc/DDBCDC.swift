import ArgumentParser

/// The `ddbcdc` command: DynamoDB Streams changes into lakehouse-ready rows.
@main
struct DDBCDC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddbcdc",
        abstract: "Carry every change of a DynamoDB table into a Databricks lakehouse.",
        version: "0.1.0",
        subcommands: [Transform.self, Run.self, EmitNotebook.self, Schema.self]
    )
}
