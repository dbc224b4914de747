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

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key in every cell, e.g. --set federation.rounds=5 (repeatable; after the file's overrides).", valueName: "key=value"))
    var overrides: [String] = []

    func run() throws {
        let runner: CompareRunner
        let results: [CellResult]
        do {
            let spec = try CompareSpec.load(path: file, overrides: overrides)
            runner = try CompareRunner(spec: spec, outputDirectory: display.output, executable: currentExecutable(),
                                       progress: display.progress)
            results = try runner.run()
        } catch {
            throw fail(error, code: "\(error)".hasPrefix("interrupted") ? 130 : 1)
        }
        let failed = results.filter { !$0.status.isFinished }.count
        do { try printComparison(folder: runner.directory) } catch { throw fail(error) }
        print("\(results.count - failed) of \(results.count) cells completed; results in \(runner.directory)/")
    }
}
