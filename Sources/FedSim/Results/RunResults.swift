import Foundation

/// The results folder of one run, `<output>/<name>/`:
/// scenario.yaml (resolved), rounds.csv, clients.csv, label_counts.csv, summary.json,
/// model.bin (final global parameters, raw little-endian Float32) and logs/.
public final class RunResults {
    public let directory: String
    private let rounds: CSVWriter
    private let clients: CSVWriter

    /// Files this type writes; a folder holding any of them is a previous run and is replaced.
    static let ownedFiles = ["scenario.yaml", "rounds.csv", "clients.csv", "label_counts.csv",
                             "summary.json", "model.bin", "report.html", Checkpoint.fileName]

    public init(directory: String, scenario: Scenario, labelCounts: [[Int]]) throws {
        self.directory = directory
        let fm = FileManager.default
        try RunResults.prepare(directory)
        try fm.createDirectory(atPath: logsDirectory(directory), withIntermediateDirectories: true)
        try Data(scenario.resolvedYAML().utf8).write(to: URL(fileURLWithPath: directory + "/scenario.yaml"))

        let classes = labelCounts.first?.count ?? 0
        let counts = try CSVWriter(path: directory + "/label_counts.csv",
                                   header: ["client", "samples"] + (0..<classes).map { "label_\($0)" })
        for (client, row) in labelCounts.enumerated() {
            try counts.write([String(client), String(row.reduce(0, +))] + row.map(String.init))
        }
        counts.close()

        rounds = try CSVWriter(path: directory + "/rounds.csv", header: RoundRecord.csvHeader)
        clients = try CSVWriter(path: directory + "/clients.csv", header: ClientRecord.csvHeader)
    }

    /// Reopens the results of an interrupted run to continue after `round` (the checkpoint's):
    /// rows of later rounds are dropped; everything else stays.
    public init(continuing directory: String, throughRound round: Int) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: logsDirectory(directory), withIntermediateDirectories: true)
        rounds = try CSVWriter(continuing: directory + "/rounds.csv", header: RoundRecord.csvHeader, throughRound: round)
        clients = try CSVWriter(continuing: directory + "/clients.csv", header: ClientRecord.csvHeader, throughRound: round)
    }

    /// Writes the checkpoint of the round just recorded.
    public func checkpoint(_ c: Checkpoint) throws {
        try c.write(to: directory)
        TestHook.stopAfterRound(c.round)
    }

    /// Path of the scenario file the client processes load (the resolved scenario).
    public var scenarioPath: String { directory + "/scenario.yaml" }
    public var logsPath: String { logsDirectory(directory) }

    /// Appends one round to rounds.csv and its clients to clients.csv (flushed at once).
    public func record(_ round: RoundRecord) throws {
        try rounds.write(round.csvRow)
        for c in round.clients { try clients.write(c.csvRow) }
    }

    /// Writes the final model and summary.json, and closes the CSV files.
    public func finish(summary: RunSummary, model: [Float]) throws {
        rounds.close()
        clients.close()
        let bytes = model.withUnsafeBufferPointer { Data(buffer: $0) }
        try bytes.write(to: URL(fileURLWithPath: directory + "/model.bin"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var json = try encoder.encode(summary)
        json.append(0x0A)
        try json.write(to: URL(fileURLWithPath: directory + "/summary.json"), options: .atomic)
    }

    /// Creates `directory`, or clears the files of a previous run in it. Refuses a non-empty
    /// folder that is not a fedsim run, so that no one's files are deleted by mistake.
    static func prepare(_ directory: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ResultsError.cannotWrite(path: directory) }
            let entries = try fm.contentsOfDirectory(atPath: directory)
            let ours = Set(ownedFiles + ["logs"])
            if !entries.isEmpty && !entries.contains(where: { ours.contains($0) }) {
                throw RunFolderError.notARun(directory)
            }
            for e in entries where ours.contains(e) {
                try fm.removeItem(atPath: directory + "/" + e)
            }
        } else {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }
}

private func logsDirectory(_ dir: String) -> String { dir + "/logs" }

public enum RunFolderError: Error, CustomStringConvertible {
    case notARun(String)
    public var description: String {
        switch self {
        case let .notARun(d): return "\(d): folder exists and is not a fedsim run; choose another output folder or name"
        }
    }
}

/// summary.json: the run at a glance.
public struct RunSummary: Codable, Sendable {
    public var name: String
    public var seed: UInt64
    /// "completed", "interrupted" or "failed".
    public var status: String
    public var error: String?
    public var roundsPlanned: Int
    public var roundsCompleted: Int
    public var finalTestAccuracy: Double?
    public var finalTestLoss: Double?
    public var bestTestAccuracy: Double?
    public var updatesReceived: Int
    public var updatesRejected: Int
    public var meanRoundMilliseconds: Double?
    public var wallSeconds: Double
    public var clients: Int
    public var processes: Int
    public var parameters: Int
    public var trainSamples: Int
    public var testSamples: Int
    public var fingerprint: String
    /// Ground truth: each attack group and its clients (evaluation only).
    public var attacks: [AttackRecord]
    /// "backdoor" or "targeted-label-flip" when an attack has a success metric.
    public var attackMetric: String?
    public var finalAttackSuccessRate: Double?
    /// Malicious updates the coordinator accepted over the run.
    public var maliciousReceived: Int
    /// The server's aggregation rule (with "dp(...)" when wrapped for privacy).
    public var aggregator: String
    /// Malicious updates the rule let into the aggregate, and the mean detection rates over
    /// the rounds where they are defined.
    public var maliciousSelected: Int?
    public var meanDetectionTPR: Double?
    public var meanDetectionFPR: Double?
    /// Differential privacy, when configured.
    public var privacy: PrivacyRecord?

    enum CodingKeys: String, CodingKey {
        case name, seed, status, error, clients, processes, parameters, fingerprint, attacks
        case attackMetric = "attack_metric", finalAttackSuccessRate = "final_attack_success_rate"
        case maliciousReceived = "malicious_received", aggregator, privacy
        case maliciousSelected = "malicious_selected", meanDetectionTPR = "mean_detection_tpr"
        case meanDetectionFPR = "mean_detection_fpr"
        case roundsPlanned = "rounds_planned", roundsCompleted = "rounds_completed"
        case finalTestAccuracy = "final_test_accuracy", finalTestLoss = "final_test_loss"
        case bestTestAccuracy = "best_test_accuracy", updatesReceived = "updates_received"
        case updatesRejected = "updates_rejected", meanRoundMilliseconds = "mean_round_ms"
        case wallSeconds = "wall_seconds", trainSamples = "train_samples", testSamples = "test_samples"
    }
}

/// One attack group in summary.json.
public struct AttackRecord: Codable, Sendable {
    public var kind: String
    public var clients: [Int]
    public var knowledge: String
    public var startRound: Int
    public var endRound: Int?

    enum CodingKeys: String, CodingKey {
        case kind, clients, knowledge
        case startRound = "start_round", endRound = "end_round"
    }

    public init(_ group: AttackGroupConfig, clients: [Int]) {
        kind = group.kind.rawValue
        self.clients = clients
        knowledge = group.knowledge.rawValue
        startRound = group.startRound
        endRound = group.endRound
    }
}

/// Differential privacy in summary.json: the budget spent when the accountant's guarantee
/// holds for the defense, or why it does not.
public struct PrivacyRecord: Codable, Sendable {
    public var noiseMultiplier: Double
    public var clip: Double
    public var delta: Double
    public var samplingRate: Double
    /// The spent epsilon at `delta`, or nil when the guarantee does not apply.
    public var epsilon: Double?
    public var order: Double?
    public var conversion: String
    public var epsilonApplies: Bool
    public var note: String

    enum CodingKeys: String, CodingKey {
        case clip, delta, epsilon, order, conversion, note
        case noiseMultiplier = "noise_multiplier", samplingRate = "sampling_rate", epsilonApplies = "epsilon_applies"
    }
}
