import ArgumentParser
import FedSim
import Foundation
import Logging

@main
struct Fedsim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedsim",
        abstract: "Federated learning under attack: a coordinator and client processes over ZeroMQ.",
        subcommands: [Run.self, CoordinatorCommand.self, ClientCommand.self, AdversaryCommand.self, CheckCommand.self, BenchCommand.self]
    )
}

/// Options every sub-command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key, e.g. --set federation.rounds=5 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning
}

/// Where a run's results go and how its progress shows (run, coordinator).
struct ResultsOptions: ParsableArguments {
    @Option(help: "Results folder (default: <output>/<name> from the scenario).")
    var output: String?

    @Option(help: "Progress display: auto, terminal, plain or none.")
    var progress: ProgressDisplay.Style = .auto
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Sets up logging to stderr once, in the executable only (libraries just take a Logger).
func makeLogger(_ label: String, level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// Prints a one-line error and exits with `code`.
func fail(_ error: Error, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("fedsim: \(error)\n".utf8))
    return ExitCode(code)
}

/// The path of this executable, to start client processes with.
func currentExecutable() -> String {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    return CommandLine.arguments[0]
}
