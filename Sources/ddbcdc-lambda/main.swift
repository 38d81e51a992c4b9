import LambdaRuntime
import ProcessKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The Lambda function's `bootstrap`: serves invocations from the Runtime API until it goes away.
// `ddbcdc lambda` runs the same loop; this program leaves out the command line, the notebook
// generator and the infrastructure emitter to stay small.
exit(await LambdaRuntime.bootstrapMain(arguments: CommandLine.arguments, environment: processEnvironment()))
