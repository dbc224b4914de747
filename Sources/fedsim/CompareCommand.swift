import ArgumentParser
import FedSim
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run a matrix of attacks x defenses x seeds and compare them in a table and an HTML report.")

    @Argument(help: "Comparison file (YAML): base scenario, attacks, defenses, seeds (docs/COMPARE.md).")
    var file: String

    @OptionGroup var display: ResultsOptions

    /// --set (every cell, after the file's overrides), --log-level (each cell's run), --quiet, --verbose.
    @OptionGroup var common: CommonOptions

    @OptionGroup var verbosity: Verbosity

    func run() throws {
        let runner: CompareRunner
        let results: [CellResult]
        do {
            let spec = try CompareSpec.load(path: file, overrides: common.overrides)
            runner = try CompareRunner(spec: spec, outputDirectory: display.output, executable: currentExecutable(),
                                       progress: verbosity.progress(display.progress))
            if let level = common.logLevel ?? (verbosity.verbose ? .info : nil) {
                runner.cellArguments = ["--log-level", level.rawValue]
            }
            results = try runner.run()
        } catch {
            throw fail(error, code: "\(error)".hasPrefix("interrupted") ? 130 : 1)
        }
        let failed = results.filter { !$0.status.isFinished }.count
        guard !verbosity.quiet else { return }
        do { try printComparison(folder: runner.directory) } catch { throw fail(error) }
        print("\(results.count - failed) of \(results.count) cells completed; results in \(runner.directory)/")
    }
}
