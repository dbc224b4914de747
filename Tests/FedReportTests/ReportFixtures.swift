import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FedResults
@testable import FedSim

/// Hand-built comparison and run folders for the report tests, in a fresh temporary folder.
enum ReportFixtures {
    /// A fresh empty folder under the system's temporary directory.
    static func temporaryFolder(_ tag: String) throws -> String {
        let dir = NSTemporaryDirectory() + "fedsim-report-\(tag)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The reason of the fixture's one failed cell: it has every character XML must escape.
    static let failureReason = #"Krum needs n > 2f + 2; got n = 8, f = 3 <&"x">"#

    /// Final accuracy per attack, defense and seed (nil: the cell failed).
    static let accuracies: [(attack: String, defense: String, seed: Int, accuracy: Double?)] = [
        ("none", "fedavg", 1, 0.90), ("none", "fedavg", 2, 0.92),
        ("none", "median", 1, 0.88), ("none", "median", 2, 0.90),
        ("none", "krum", 1, 0.85), ("none", "krum", 2, 0.87),
        ("backdoor", "fedavg", 1, 0.40), ("backdoor", "fedavg", 2, 0.50),
        ("backdoor", "median", 1, 0.70), ("backdoor", "median", 2, 0.74),
        ("backdoor", "krum", 1, 0.80), ("backdoor", "krum", 2, nil),
    ]

    /// A comparison folder: 2 attacks (none, backdoor) x 3 defenses (fedavg, median, krum) x
    /// 2 seeds; backdoor/krum/seed 2 failed (no cell folder); every other cell has a 3-round
    /// rounds.csv ending at its final accuracy.
    static func comparison() throws -> String {
        let dir = try temporaryFolder("compare")
        try write("name: fixture\nattacks: [none, backdoor]\ndefenses: [fedavg, median, krum]\nseeds: [1, 2]\n",
                  to: dir + "/compare.yaml")
        try write("name: base\nnote: \"a < b & c\"\n", to: dir + "/base.yaml")
        var csv = "attack,defense,seed,status,final_accuracy,mean_last5_accuracy,attack_success_rate,detection_tpr,detection_fpr,epsilon,wall_seconds,error\n"
        for c in accuracies {
            guard let acc = c.accuracy else {
                csv += "\(c.attack),\(c.defense),\(c.seed),failed,,,,,,,0.1,\(CSVWriter.escape(failureReason))\n"
                continue
            }
            let asr = c.attack == "backdoor" ? String(1 - acc) : ""
            let tpr = c.defense == "fedavg" || c.attack == "none" ? "" : "0.5"
            csv += "\(c.attack),\(c.defense),\(c.seed),completed,\(acc),\(acc),\(asr),\(tpr),\(tpr.isEmpty ? "" : "0.1"),,1.5,\n"
            let cell = "\(dir)/cells/\(c.attack)--\(c.defense)--seed\(c.seed)"
            try FileManager.default.createDirectory(atPath: cell, withIntermediateDirectories: true)
            try write(roundsCSV(accuracies: [0.3, (0.3 + acc) / 2, acc], attack: c.attack != "none"),
                      to: cell + "/rounds.csv")
        }
        try write(csv, to: dir + "/compare.csv")
        return dir
    }

    /// rounds.csv with the real header, one row per accuracy.
    static func roundsCSV(accuracies: [Double], attack: Bool, epsilon: Bool = false) -> String {
        var lines = [RoundRecord.csvHeader.joined(separator: ",")]
        for (i, acc) in accuracies.enumerated() {
            var row: [String: String] = [
                "round": String(i + 1), "test_accuracy": String(acc), "test_loss": String(2 * (1 - acc)),
                "train_loss": String(2.2 * (1 - acc)), "sampled": "10", "received": "10", "rejected": "0",
                "malicious_sampled": attack ? "2" : "0", "malicious_received": attack ? "2" : "0",
                "applied": "1", "aggregation_ms": "0.5", "round_ms": "9.5",
            ]
            if attack {
                row["attack_success_rate"] = String(1 - acc)
                row["malicious_selected"] = "1"
                row["honest_excluded"] = "1"
                row["detection_tpr"] = "0.5"
                row["detection_fpr"] = "0.125"
            }
            if epsilon { row["epsilon"] = String(0.5 * Double(i + 1)) }
            if i == 1 { row["reject_reasons"] = "stale_round:1;bad_size:2"; row["note"] = "quorum, \"late\"" }
            lines.append(RoundRecord.csvHeader.map { CSVWriter.escape(row[$0] ?? "") }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A run folder: 4 rounds under a backdoor with epsilon, clients.csv, summary.json and a
    /// scenario whose text needs escaping.
    static func run() throws -> String {
        let dir = try temporaryFolder("run")
        try write(roundsCSV(accuracies: [0.2, 0.5, 0.7, 0.8], attack: true, epsilon: true), to: dir + "/rounds.csv")
        var clients = [ClientRecord.csvHeader.joined(separator: ",")]
        for round in 1...4 {
            for client in 0..<4 {
                let malicious = client == 3
                let selected = malicious ? (round % 2 == 0 ? "1" : "0") : "1"
                clients.append("\(round),\(client),\(malicious ? 1 : 0),1,1,50,1.5,0.7,\(selected),0.25,,0")
            }
        }
        try write(clients.joined(separator: "\n") + "\n", to: dir + "/clients.csv")
        try write("""
            {
              "aggregator" : "krum(f=1)",
              "attack_metric" : "backdoor",
              "attacks" : [ { "clients" : [3], "kind" : "backdoor", "knowledge" : "colluding", "start_round" : 1 } ],
              "final_test_accuracy" : 0.8,
              "name" : "run <fixture> & co",
              "seed" : 18446744073709551615,
              "status" : "completed",
              "wall_seconds" : 1.25
            }
            """, to: dir + "/summary.json")
        try write("name: \"run <fixture> & co\"\nseed: 7\n", to: dir + "/scenario.yaml")
        return dir
    }
}

/// Parses a document with Foundation's XMLParser and records the elements it meets.
final class XMLProbe: NSObject, XMLParserDelegate {
    private(set) var elements: [(name: String, attributes: [String: String])] = []
    private(set) var text = ""
    private(set) var error: Error?

    /// Parses `document`; returns whether it is well-formed XML.
    func parse(_ document: String) -> Bool {
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = self
        let ok = parser.parse()
        error = parser.parserError
        return ok
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append((elementName, attributeDict))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    /// Elements whose class attribute holds `cssClass` as one of its words.
    func elements(withClass cssClass: String) -> [[String: String]] {
        elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(cssClass)) }
            .map(\.attributes)
    }
}
