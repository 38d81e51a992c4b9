import ArgumentParser
import Dispatch
import LambdaRuntime
import ProcessKit

// The process starts here, on the main thread, with no other thread yet. Not an `async` main:
// its code would run on a thread of the cooperative pool while the main thread, left with the
// signal mask it was started with, could take a SIGINT or SIGTERM with the default action
// (ending the process with the open batches unwritten). So: parse, block the signals a command
// handles here, then run the command in a task while the main thread waits, its mask unchanged.
// Not `dispatchMain()` either: on Linux it parks the main thread in `sigsuspend` with an empty
// mask, where SIGINT and SIGTERM would again take their default action.

/// A parsed command handed from the main thread to the task that runs it; the main thread does
/// not touch it again (parseAsRoot's result is not `sending`, so the compiler cannot see that).
struct Handover: @unchecked Sendable {
    var command: any ParsableCommand
}

/// Runs `command` as a task and never returns: the task exits the process.
func launch(_ handover: Handover) -> Never {
    // Not isolated to the main actor (a global function), so the task runs on the cooperative
    // pool, not on the main queue that nothing drains while the main thread waits below.
    Task {
        do {
            let command = handover.command
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            DDBCDC.exit(withError: error)
        }
        DDBCDC.exit()
    }
    let never = DispatchSemaphore(value: 0)
    while true { never.wait() }
}

/// Started by Lambda as `bootstrap` (no arguments, the Runtime API set): serve invocations;
/// otherwise parse the command line and run the command.
func start() -> Never {
    if LambdaRuntime.isBootstrap(environment: processEnvironment(), arguments: CommandLine.arguments) {
        launch(Handover(command: LambdaCommand()))
    }
    launch(parse())
}

/// The command the arguments name, with the signals it handles blocked.
func parse() -> Handover {
    do {
        let command = try DDBCDC.parseAsRoot()
        // Before any thread starts, so that every thread inherits the mask.
        if command is any StopsOnSignal { try SignalWatch.block() }
        return Handover(command: command)
    } catch {
        DDBCDC.exit(withError: error)
    }
}

start()
