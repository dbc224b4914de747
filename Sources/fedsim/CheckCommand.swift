import ArgumentParser
import FedSim
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scenario and its data and print it resolved (every key with its value), its fingerprint and what it loaded.")

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        do {
            let s = try Scenario.load(path: scenario, overrides: common.overrides)
            // Load, normalise and partition exactly as a run does, so that a missing or damaged
            // file, or a partition the data cannot satisfy, fails here with its one-line error.
            let limit = try MemoryLimit.current()
            let data = try FederationData.prepare(s, file: scenario, memoryLimit: limit)
            print(s.resolvedYAML(), terminator: "")
            print("# data: " + data.summary(partition: s.partition.kind))
            let estimate = FederationData.memoryEstimate(s, model: data.model, train: data.train, test: data.test,
                                                         partition: data.partition)
            print("# memory: about \(MemoryEstimate.format(estimate.totalBytes)) (\(estimate.breakdown); "
                  + "\(estimate.parameters) parameters); limit \(limit)")
            if !s.evaluate.isEmpty {
                let names = s.evaluate.evaluations.map(\.kind).joined(separator: ", ")
                let figures = ThreatEvaluator.figures(s.evaluate).count
                print("# evaluate: \(names) after every \(s.evaluate.every) rounds and the last, on up to "
                      + "\(s.evaluate.samples) samples (\(figures) rounds.csv columns)")
            }
            // Last, as before: scripts read the fingerprint from the final line.
            print("# fingerprint: 0x\(String(s.fingerprint, radix: 16))")
        } catch {
            throw fail(error)
        }
    }
}
