import FedResults
import Foundation

/// One run folder read back for its report: rounds.csv (required), and clients.csv,
/// summary.json and scenario.yaml when present.
public struct RunReportData: Sendable {
    /// Selection of updates by the aggregation rule, honest against malicious (clients.csv).
    public struct Selection: Sendable, Equatable {
        public var honestReceived = 0
        public var honestSelected = 0
        public var maliciousReceived = 0
        public var maliciousSelected = 0
        /// Whether the rule made per-client decisions at all.
        public var hasDecisions = false

        public init() {}
    }

    public var directory: String
    public var rounds: RoundsFile
    /// summary.json as key and value text, in the file's key order sorted (nil when absent).
    public var summary: [(key: String, value: String)]?
    /// summary.json decoded, when it decodes (name, status, aggregator, ...).
    public var runSummary: RunSummary?
    public var selection: Selection?
    public var scenario: String?
    /// evaluation.json: the last threat evaluation's images, when the run made any.
    public var images: EvaluationImages?

    public init(directory: String, rounds: RoundsFile, summary: [(key: String, value: String)]? = nil,
                runSummary: RunSummary? = nil, selection: Selection? = nil, scenario: String? = nil) {
        self.directory = directory
        self.rounds = rounds
        self.summary = summary
        self.runSummary = runSummary
        self.selection = selection
        self.scenario = scenario
    }

    /// Reads a run folder; only rounds.csv is required.
    public static func load(directory: String) throws -> RunReportData {
        let rounds = try RoundsFile.load(path: directory + "/rounds.csv")
        var data = RunReportData(directory: directory, rounds: rounds, scenario: readText(directory + "/scenario.yaml"))
        if let json = FileManager.default.contents(atPath: directory + "/summary.json") {
            data.summary = flatten(json)
            data.runSummary = try? RunSummary.decoder().decode(RunSummary.self, from: json)
        }
        data.images = try EvaluationImages.read(from: directory)
        let clientsPath = directory + "/clients.csv"
        if FileManager.default.fileExists(atPath: clientsPath) {
            data.selection = try? selection(CSVTable.load(path: clientsPath))
        }
        return data
    }

    /// The run's name: summary.json's, else the folder's.
    public var name: String {
        runSummary?.name ?? summaryValue("name") ?? URL(fileURLWithPath: directory).lastPathComponent
    }

    func summaryValue(_ key: String) -> String? { summary?.first { $0.key == key }?.value }

    // MARK: - Reading

    /// Counts received and selected updates of honest and malicious clients in clients.csv.
    static func selection(_ table: CSVTable) throws -> Selection {
        let malicious = try table.require("malicious"), responded = try table.require("responded")
        let selected = table.index(of: "selected")
        var s = Selection()
        for row in table.rows where row[responded] == "1" {
            let isMalicious = row[malicious] == "1"
            let chosen: Bool
            if let selected, !row[selected].isEmpty {
                s.hasDecisions = true
                chosen = row[selected] == "1"
            } else {
                chosen = true
            }
            if isMalicious {
                s.maliciousReceived += 1
                if chosen { s.maliciousSelected += 1 }
            } else {
                s.honestReceived += 1
                if chosen { s.honestSelected += 1 }
            }
        }
        return s
    }

    /// summary.json's top-level keys (sorted) with their values as short text: numbers and
    /// strings as they are, arrays and objects as compact JSON.
    static func flatten(_ json: Data) -> [(key: String, value: String)]? {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return nil }
        return object.keys.sorted().map { key in (key, text(object[key] as Any)) }
    }

    private static func text(_ value: Any) -> String {
        switch value {
        case let s as String: return s
        case is NSNull: return "null"
        case let n as NSNumber:
            if n.objCType.pointee == CChar(UInt8(ascii: "c")) { return n.boolValue ? "true" : "false" }
            let s = n.stringValue
            guard s.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return s }
            return String(format: "%.6g", n.doubleValue)
        default:
            guard JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                return String(describing: value)
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
