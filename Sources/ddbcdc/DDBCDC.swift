import ArgumentParser
import LambdaRuntime
import Pipeline

/// The `ddbcdc` command: DynamoDB Streams changes into lakehouse-ready rows.
@main
struct DDBCDC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddbcdc",
        abstract: "Carry every change of a DynamoDB table into a Databricks lakehouse.",
        version: "0.1.0",
        subcommands: [
            Transform.self, Run.self, LambdaCommand.self, InvokeLocal.self, EmitInfra.self, EmitNotebook.self, Schema.self,
        ]
    )

    /// Started by Lambda as `bootstrap` (no arguments, the Runtime API set): serve invocations;
    /// otherwise parse the command line.
    static func main() async {
        if LambdaRuntime.isBootstrap(environment: processEnvironment(), arguments: CommandLine.arguments) {
            do { try LambdaCommand().run() } catch { exit(withError: error) }
            return
        }
        await main(nil)
    }
}
