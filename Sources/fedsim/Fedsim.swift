import ArgumentParser
import CSupport
import FedCore
import FedResults
import FedRobust
import FedSim
import FedWire
import Foundation
import Logging

@main
struct Fedsim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedsim",
        abstract: "Federated learning under attack: a coordinator and client processes over ZeroMQ.",
        discussion: "Exit codes: 0 success (a diverged run is a result), 1 failure (docs/CLI.md), 64 usage error, 130/143 interrupted by SIGINT/SIGTERM.",
        version: FedsimVersion.string,
        subcommands: [Run.self, CoordinatorCommand.self, ClientCommand.self, AdversaryCommand.self, CompareCommand.self,
                      ReportCommand.self, CheckCommand.self, ListCommand.self, BenchCommand.self, KeygenCommand.self, FuzzCommand.self]
    )

    /// Checks the environment every command depends on, then parses and runs.
    static func main() {
        do {
            try KernelISA.validateEnvironment(ProcessInfo.processInfo.environment["FEDSIM_KERNELS"])
        } catch {
            FileHandle.standardError.write(Data("fedsim: error: \(error)\n".utf8))
            Foundation.exit(64)  // EX_USAGE: the environment asks for something this machine cannot do
        }
        // A coordinator allocates the same big buffers every round (the n x d matrix, the
        // aggregate): keep freed ones in the heap rather than map and zero fresh pages each
        // time (with d = 10⁷, faulting in a fresh 40 MB aggregate costs more than computing
        // it). Freed memory then stays with the process: its peak footprint, reused.
        _ = fedsim_keep_large_blocks_in_heap(1 << 30)
        // Many connections (and the run's own files) need descriptors: take all the hard limit allows.
        PeerGuard.raiseDescriptorLimit()
        if let message = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("fedsim: error: \(message)\n".utf8))
            Foundation.exit(64)
        }
        main(nil)
    }

    /// The sub-command names (`run`, `compare`, ...), and `help`.
    static var commandNames: [String] { configuration.subcommands.map { $0._commandName } + ["help"] }

    /// The message for a first argument that names no sub-command ("unknown command 'krun';
    /// did you mean run?"), or nil when the arguments start with a command or an option.
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first) else { return nil }
        if first.hasSuffix(".yaml") || first.hasSuffix(".yml") {
            return "unknown command '\(first)'; to run a scenario: fedsim run \(first) (compare files: fedsim compare)"
        }
        let hint = Suggestion.closest(to: first, among: commandNames).map { "did you mean \($0)?" }
            ?? "commands: \(commandNames.filter { $0 != "help" }.joined(separator: ", "))"
        return "unknown command '\(first)'; \(hint) (fedsim --help lists them)"
    }
}

/// Options every sub-command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key, e.g. --set federation.rounds=5 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default warning; info with --verbose).")
    var logLevel: Logger.Level?

    /// The log level given, else warning.
    var level: Logger.Level { logLevel ?? .warning }
}

/// How much a command that shows progress prints (run, coordinator, compare).
struct Verbosity: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print only errors: no progress, no closing line (the exit code tells the outcome).")
    var quiet = false

    @Flag(name: [.short, .long], help: "Log more (level info unless --log-level says otherwise).")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other; give one") }
    }

    /// --log-level when given, else info with --verbose, error with --quiet, warning.
    func level(_ given: Logger.Level?) -> Logger.Level { given ?? (verbose ? .info : quiet ? .error : .warning) }

    /// The progress display: none with --quiet, else `style`.
    func progress(_ style: ProgressDisplay.Style) -> ProgressDisplay.Style { quiet ? .none : style }
}

/// Where a run's results go and how its progress shows (run, coordinator).
struct ResultsOptions: ParsableArguments {
    @Option(help: "Results folder (default: <output>/<name> from the scenario).")
    var output: String?

    @Option(help: "Progress display: auto, terminal, plain or none.")
    var progress: ProgressDisplay.Style = .auto
}

/// Options of the processes `fedsim run` starts (client processes, the adversary hub).
struct ChildOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Exit when this process is no longer our parent (set by `fedsim run`).", visibility: .hidden))
    var parentPid: Int32?

    @OptionGroup var common: CommonOptions

    /// Ties this process to its parent, traps SIGINT/SIGTERM, and returns a logger (info by
    /// default: these processes write to their own log file).
    func start(_ label: String) -> Logger {
        if let parentPid { SignalTrap.dieWithParent(parentPid) }
        SignalTrap.install()
        return makeLogger(label, level: common.logLevel ?? .info)
    }
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
    FileHandle.standardError.write(Data("fedsim: \(FileErrorText.describe(error))\n".utf8))
    return ExitCode(code)
}

/// The path of this executable, to start client processes with.
func currentExecutable() -> String {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    return CommandLine.arguments[0]
}
