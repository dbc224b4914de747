import ArgumentParser
import FedRobust
import FedSim
import Foundation

/// `fedsim bench …`: benchmarks that print machine-readable figures (docs/BENCHMARKS.md).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks with machine-readable output.",
        subcommands: [AggregatorsBenchCommand.self, TrainBenchCommand.self, EvaluationsBenchCommand.self])
}

extension BenchOutput.Format: ExpressibleByArgument {}

/// `fedsim bench aggregators --n 100 --d 1000000`: milliseconds per aggregation, every rule.
struct AggregatorsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregators",
        abstract: "Time one aggregation of every rule on a synthetic n x d Float32 round.")

    @Option(help: "Number of updates (rows).")
    var n: Int = 100

    @Option(help: "Number of parameters per update (columns).")
    var d: Int = 1_000_000

    @Option(name: .customLong("repeat"), help: "Timed aggregations per rule; the best and the median are reported.")
    var repeats: Int = 3

    @Option(help: "Untimed aggregations per rule before timing (FoolsGold and centered clipping get at least 1).")
    var warmup: Int = 1

    @Option(help: "Outlier rows and requested f (default floor(0.2 n)); each rule uses the largest legal f <= this.")
    var f: Int?

    @Option(help: "Comma-separated rules to run (default: all): \(AggregatorBench.Rule.allCases.map(\.rawValue).joined(separator: ",")).")
    var only: String?

    @Option(help: "Comma-separated pre-aggregation steps timed before every rule, at their defaults (\(Registry.preAggregation.map(\.name).joined(separator: ","))).")
    var pre: String?

    @Option(help: "Seed of the synthetic updates.")
    var seed: UInt64 = 1

    @Option(help: "Threads for OpenBLAS and the column passes (0: library defaults, every core).")
    var threads: Int = 0

    @Option(help: "Kernel version: auto (the best this CPU runs), generic, avx2 or avx512 (same numbers, different speed).")
    var kernels: String?

    @Option(help: "Output format: text (key=value lines) or json (JSON lines).")
    var format: BenchOutput.Format = .text

    func validate() throws {
        do {
            try configuration().validate()
            if let kernels { try KernelISA.select(kernels) }
        } catch let error as BenchError {
            throw ValidationError(error.description)
        } catch let error as KernelISAError {
            throw ValidationError("--kernels: \(error.message)")
        }
    }

    /// Writes one line to stdout at once (unbuffered: results show as each rule finishes).
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func configuration() throws -> AggregatorBench.Configuration {
        let rules = try only.map { try AggregatorBench.Rule.parseList($0) } ?? []
        let steps = pre.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        return AggregatorBench.Configuration(n: n, d: d, repeats: repeats, warmup: warmup, f: f,
                                             rules: rules, seed: seed, threads: threads, pre: steps)
    }

    func run() throws {
        do {
            if let kernels { try KernelISA.select(kernels) }
            let config = try configuration()
            let cores = ProcessInfo.processInfo.activeProcessorCount
            emit(BenchOutput.line(BenchOutput.header(config, cores: cores), type: "header", format: format))
            emit(BenchOutput.notesLine(format: format))
            _ = try AggregatorBench.run(config, progress: { result in
                emit(BenchOutput.line(BenchOutput.fields(result), type: "bench", format: format))
            }, floor: { floor in
                emit(BenchOutput.line(BenchOutput.fields(floor), type: "floor", format: format))
            }, computeFloor: { floor in
                emit(BenchOutput.line(BenchOutput.fields(floor), type: "floor", format: format))
            })
        } catch {
            throw fail(error)
        }
    }
}

/// `fedsim bench train --batch 32,128`: images per second of forward + backward of the MNIST CNN.
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time forward + backward (loss and parameter gradient) of the MNIST CNN (kind: cnn defaults, "
            + "1,199,882 parameters) on random batches.")

    @Option(help: "Comma-separated batch sizes.")
    var batch: String = "32,128"

    @Option(name: .customLong("repeat"), help: "Timed batches per size; the best and the median are reported.")
    var repeats: Int = 10

    @Option(help: "Untimed batches per size before timing.")
    var warmup: Int = 2

    @Option(help: "Input shape C,H,W.")
    var shape: String = "1,28,28"

    @Option(help: "Seed of the random inputs, labels and initial parameters.")
    var seed: UInt64 = 1

    @Option(help: "OpenBLAS threads (0: the library default, every core).")
    var threads: Int = 1

    @Option(help: "Output format: text (key=value lines) or json (JSON lines).")
    var format: BenchOutput.Format = .text

    func configuration() throws -> TrainBench.Configuration {
        func sizes(_ text: String, _ option: String) throws -> [Int] {
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("\(option) needs comma-separated integers; got \"\(text)\"")
            }
            return parts.compactMap { $0 }
        }
        let c = TrainBench.Configuration(batchSizes: try sizes(batch, "--batch"), repeats: repeats, warmup: warmup,
                                         seed: seed, threads: threads, shape: try sizes(shape, "--shape"))
        do {
            try c.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return c
    }

    func validate() throws { _ = try configuration() }

    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func run() throws {
        do {
            let c = try configuration()
            let header = BenchOutput.header(c, cores: ProcessInfo.processInfo.activeProcessorCount)
            emit(BenchOutput.line(header, type: "header", format: format))
            _ = try TrainBench.run(c) { result in
                emit(BenchOutput.line(BenchOutput.fields(result), type: "bench", format: format))
            }
        } catch {
            throw fail(error)
        }
    }
}

/// `fedsim bench evaluations scenarios/threats/extraction.yaml`: milliseconds per threat evaluation.
struct EvaluationsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluations",
        abstract: "Time each threat evaluation of a scenario's evaluate: section once on its prepared data and model.")

    @Argument(help: "Scenario file (YAML) with an evaluate: section.")
    var scenario: String

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("repeat"), help: "Timed runs per evaluation; the best and the median are reported.")
    var repeats: Int = 3

    @Option(help: "Output format: text (key=value lines) or json (JSON lines).")
    var format: BenchOutput.Format = .text

    func run() throws {
        do {
            let s = try Scenario.load(path: scenario, overrides: common.overrides)
            try EvaluationBench.run(s, repeats: repeats) { r in
                let fields: BenchOutput.Fields = [
                    ("evaluation", r.evaluation), ("model", r.model), ("parameters", String(r.parameters)),
                    ("best_ms", String(format: "%.1f", r.bestMs)), ("median_ms", String(format: "%.1f", r.medianMs)),
                    ("repeats", String(r.timesMs.count)),
                ]
                FileHandle.standardOutput.write(Data((BenchOutput.line(fields, type: "bench", format: format) + "\n").utf8))
            }
        } catch {
            throw fail(error)
        }
    }
}
