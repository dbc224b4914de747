import ArgumentParser
import FedReport
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
        var started: CompareRunner?
        let results: [CellResult]
        do {
            let spec = try CompareSpec.load(path: file, overrides: overrides)
            let r = try CompareRunner(spec: spec, outputDirectory: display.output, executable: currentExecutable(),
                                      progress: display.progress)
            started = r
            results = try r.run()
        } catch {
            let interrupted = "\(error)".hasPrefix("interrupted")
            let code = fail(error, code: interrupted ? 130 : 1)
            if interrupted, let started { printResumeHint(started.directory) }
            throw code
        }
        guard let runner = started else { return }
        let failed = results.filter { !$0.status.isFinished }.count
        do { try printComparison(folder: runner.directory) } catch { throw fail(error) }
        print("\(results.count - failed) of \(results.count) cells completed; results in \(runner.directory)/")
    }
}

/// After Ctrl-C: what is kept, and how to go on (rerunning the same command resumes: cells
/// complete on disk are not run again).
private func printResumeHint(_ directory: String) {
    let done = (try? ComparisonResults.load(directory: directory)).map { r in
        "\(r.cells.filter(\.status.isFinished).count) of \(r.cells.count) cells"
    } ?? "the finished cells"
    let command = (["fedsim"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
    FileHandle.standardError.write(Data("""
        fedsim: \(done) finished and kept in \(directory)/compare.csv
        fedsim: to resume, rerun the same command (finished cells are not run again): \(command)
        fedsim: to see what finished: fedsim report \(shellQuoted(directory))

        """.utf8))
}

/// A word for a POSIX shell: as it is when it is safe, else in single quotes.
func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./=:,+@%".unicodeScalars.contains($0))
    }
    return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
