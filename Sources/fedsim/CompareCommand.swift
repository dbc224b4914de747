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

    /// --set (every cell, after the file's overrides), --log-level (each cell's run), --quiet, --verbose.
    @OptionGroup var common: CommonOptions

    @OptionGroup var verbosity: Verbosity

    @Option(help: ArgumentHelp("Run only the K-th of N disjoint slices of the cells (K from 0), for one task of a scheduler's job array; results go to the shared folder, merged by --merge (docs/CLUSTER.md).", valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Also write every cell's rounds for an experiment tracker: mlflow, tensorboard or jsonl (repeatable, or comma-separated): one MLflow experiment, one TensorBoard run per cell.", valueName: "format"))
    var export: [String] = []

    @Flag(help: "Run nothing: collect the cells the shards finished into compare.csv and the report.")
    var merge = false

    func validate() throws {
        if merge && shard != nil { throw ValidationError("--shard runs a slice and --merge collects them: give one of them") }
        if let shard { do { _ = try CompareShard(parsing: shard) } catch { throw ValidationError("\(error)") } }
        do { _ = try ExportFormat.parse(export) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        var started: CompareRunner?
        let results: [CellResult]
        var mode = CompareRunner.Mode.all
        if let shard { mode = .shard(try CompareShard(parsing: shard)) }
        if merge { mode = .merge }
        do {
            let spec = try CompareSpec.load(path: file, overrides: common.overrides)
            let r = try CompareRunner(spec: spec, outputDirectory: display.output, executable: currentExecutable(),
                                      progress: verbosity.progress(display.progress), mode: mode)
            r.export = try ExportFormat.parse(export)
            if let level = common.logLevel ?? (verbosity.verbose ? .info : nil) {
                r.cellArguments = ["--log-level", level.rawValue]
                r.cellLogLevel = level
            }
            r.writeReport = writeRunReport
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
        if case .shard(let s) = mode {
            // compare.csv and the report are the merge's: other shards may still be running.
            print("shard \(s): \(results.count - failed) of \(results.count) cells completed; results in \(runner.directory)/ "
                  + "(\(s.csvPath)); collect the shards with `fedsim compare \(file) --merge`")
            return
        }
        // --quiet prints nothing, but the report is written all the same.
        do { try printComparison(folder: runner.directory, quiet: verbosity.quiet) } catch { throw fail(error) }
        guard !verbosity.quiet else { return }
        print("\(results.count - failed) of \(results.count) cells completed; results in \(runner.directory)/")
        let missing = results.filter { $0.status == .pending }
        if merge && !missing.isEmpty {
            FileHandle.standardError.write(Data(("fedsim: \(missing.count) of \(results.count) cells not run yet (\(missing.prefix(3).map(\.cell.id).joined(separator: ", "))"
                + (missing.count > 3 ? ", ..." : "") + "): run their shards again, or `fedsim compare \(file)` to run them here\n").utf8))
            throw ExitCode(1)
        }
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
