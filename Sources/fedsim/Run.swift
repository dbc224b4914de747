import ArgumentParser
import FedResults
import FedSim
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario: the coordinator here, each group of clients in its own process.")

    @Argument(help: "Scenario file (YAML).")
    var scenario: String?

    @Option(help: ArgumentHelp("Continue a stopped run from its folder's checkpoint (e.g. runs/quickstart).", valueName: "run-folder"))
    var resume: String?

    @OptionGroup var display: ResultsOptions

    @Flag(help: "Replace a run of another scenario in the results folder (without it, fedsim refuses and changes nothing).")
    var force = false

    @Option(help: ArgumentHelp("Exit when this process is no longer our parent (set by `fedsim compare`).", visibility: .hidden))
    var parentPid: Int32?

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Also write every round's figures for an experiment tracker: mlflow, tensorboard or jsonl (repeatable, or comma-separated; docs/RESULTS.md).", valueName: "format"))
    var export: [String] = []
    @OptionGroup var verbosity: Verbosity

    func validate() throws {
        do { _ = try ExportFormat.parse(export) } catch { throw ValidationError("\(error)") }
        guard (scenario == nil) != (resume == nil) else {
            throw ValidationError("give a scenario file, or --resume with a run folder (not both)")
        }
        if resume != nil && (!common.overrides.isEmpty || display.output != nil || force) {
            throw ValidationError("--resume continues the run as it was; --set, --output and --force do not apply")
        }
    }

    func run() throws {
        if let parentPid { SignalTrap.dieWithParent(parentPid) }
        let logger = makeLogger("fedsim.run", level: verbosity.level(common.logLevel))
        if let resume, let done = RunFolderGuard.finishedRun(resume) {
            // Nothing to continue: say so and start no process.
            if !verbosity.quiet {
                print("\(done.name): already finished (\(done.status), \(done.roundsCompleted) of \(done.roundsPlanned) rounds): "
                      + RunHeadline.figures(done) + "; nothing to resume in \(resume)/")
            }
            return
        }
        var options = Launcher.Options(scenarioPath: scenario ?? "", executable: currentExecutable())
        options.resume = resume
        options.overrides = common.overrides
        options.outputDirectory = display.output
        options.progress = verbosity.progress(display.progress)
        options.force = force
        options.writeReport = writeRunReport
        let summary: RunSummary
        let directory: String
        do {
            (summary, directory) = try Launcher.run(options, logger: logger)
        } catch {
            throw fail(error)
        }
        // The rounds that ran, whatever the run's end (a stopped run's rounds are results too).
        var exportFailed = false
        do {
            for path in try MetricsExport.run(folder: directory, name: summary.name).write(formats: ExportFormat.parse(export)) {
                print("exported: \(path)")
            }
        } catch {
            FileHandle.standardError.write(Data("fedsim: export: \(FileErrorText.describe(error))\n".utf8))
            exportFailed = true
        }
        report(summary, directory: directory, quiet: verbosity.quiet)
        if exportFailed { throw ExitCode(1) }
    }
}

/// The closing lines of a run, and its exit code.
/// A completed run's line names every headline figure (`RunHeadline`); `quiet` prints only errors.
func report(_ summary: RunSummary, directory: String, quiet: Bool = false) {
    let acc = summary.finalTestAccuracy.map { String(format: "%.4f", $0) } ?? "n/a"
    switch summary.status {
    case "completed":
        guard !quiet else { return }
        print("\(summary.name): completed \(summary.roundsCompleted) rounds in \(String(format: "%.1f", summary.wallSeconds)) s: "
              + RunHeadline.figures(summary) + "; results in \(directory)/")
    case "diverged":
        guard !quiet else { return }
        // A result, not a failure: an attack blew the model up; the rounds up to it are recorded.
        print("\(summary.name): diverged in round \(summary.divergedRound.map(String.init) ?? "?") of \(summary.roundsPlanned) "
              + "(last test accuracy \(acc)); results in \(directory)/")
    default:
        FileHandle.standardError.write(Data("fedsim: \(summary.error ?? summary.status)\n".utf8))
        print("\(summary.name): \(summary.status) after \(summary.roundsCompleted) of \(summary.roundsPlanned) rounds "
              + "(last test accuracy \(acc)); partial results in \(directory)/")
        // 130 for SIGINT, 143 for SIGTERM (128 + the signal), 1 for a failure.
        Foundation.exit(summary.status == "interrupted" ? 128 + (SignalTrap.interrupted ?? SIGINT) : 1)
    }
}

extension ProgressDisplay.Style: ExpressibleByArgument {}
