import Foundation

/// One cell of a comparison: an attack, a defense and a seed, run as a full `fedsim run`.
public struct CompareCell: Sendable {
    public var attack: CompareSpec.Entry
    public var defense: CompareSpec.Entry
    public var seed: UInt64
    /// Folder name under cells/: `<attack>--<defense>--seed<k>`.
    public var id: String { "\(attack.label)--\(defense.label)--seed\(seed)" }

    /// The cell's scenario: the base with the spec's overrides, the seed, the attack and the
    /// defense. A scenario error (such as a rule whose bounds do not hold) fails only this cell.
    func scenario(_ spec: CompareSpec) throws -> Scenario {
        var overrides = spec.overrides
        overrides += ["seed=\(seed)", "attack=\(attack.yaml)", "defense=\(defense.yaml)", "name=\(id)"]
        return try Scenario.parse(yaml: spec.baseYAML, file: spec.baseFile, baseDirectory: spec.baseDirectory,
                                  overrides: overrides)
    }

    /// Every cell of the matrix, attacks outermost; `baseSeed` when the spec lists no seeds.
    static func all(_ spec: CompareSpec, baseSeed: UInt64) -> [CompareCell] {
        let seeds = spec.seeds.isEmpty ? [baseSeed] : spec.seeds
        var cells: [CompareCell] = []
        for a in spec.attacks { for d in spec.defenses { for s in seeds { cells.append(CompareCell(attack: a, defense: d, seed: s)) } } }
        return cells
    }
}

/// What a cell gave, as a row of compare.csv.
public struct CellResult: Sendable {
    public var cell: CompareCell
    /// completed | failed | interrupted | pending
    public var status: String
    public var finalAccuracy: Double?
    public var meanLast5Accuracy: Double?
    public var attackSuccessRate: Double?
    public var detectionTPR: Double?
    public var detectionFPR: Double?
    public var epsilon: Double?
    public var wallSeconds: Double?
    public var error: String?

    static let csvHeader = ["attack", "defense", "seed", "status", "final_accuracy", "mean_last5_accuracy",
                            "attack_success_rate", "detection_tpr", "detection_fpr", "epsilon", "wall_seconds", "error"]

    var csvRow: [String] {
        let o: (Double?) -> String = { $0.map { fmt($0) } ?? "" }
        return [cell.attack.label, cell.defense.label, String(cell.seed), status, o(finalAccuracy),
                o(meanLast5Accuracy), o(attackSuccessRate), o(detectionTPR), o(detectionFPR), o(epsilon),
                o(wallSeconds), error ?? ""]
    }

    /// Reads a finished cell's results folder; nil when it holds no complete run of `fingerprint`.
    static func read(_ cell: CompareCell, folder: String, fingerprint: UInt64) -> CellResult? {
        guard let data = FileManager.default.contents(atPath: folder + "/summary.json"),
              let s = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              s["fingerprint"] as? String == String(fingerprint, radix: 16) else { return nil }
        var r = CellResult(cell: cell, status: s["status"] as? String ?? "failed")
        r.finalAccuracy = s["final_test_accuracy"] as? Double
        r.attackSuccessRate = s["final_attack_success_rate"] as? Double
        r.detectionTPR = s["mean_detection_tpr"] as? Double
        r.detectionFPR = s["mean_detection_fpr"] as? Double
        r.epsilon = (s["privacy"] as? [String: Any])?["epsilon"] as? Double
        r.wallSeconds = s["wall_seconds"] as? Double
        r.error = s["error"] as? String
        if let text = try? String(contentsOfFile: folder + "/rounds.csv", encoding: .utf8) {
            let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            if let header = lines.first, let col = header.firstIndex(of: "test_accuracy") {
                let acc = lines.dropFirst().suffix(5).compactMap { col < $0.count ? Double($0[col]) : nil }
                if !acc.isEmpty { r.meanLast5Accuracy = acc.reduce(0, +) / Double(acc.count) }
            }
        }
        return r
    }

    init(cell: CompareCell, status: String, error: String? = nil) {
        self.cell = cell
        self.status = status
        self.error = error
    }
}
