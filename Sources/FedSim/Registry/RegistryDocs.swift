import FedAttacks
import FedCore
import FedResults
import FedRobust

/// The registries as Markdown tables: docs/SCENARIOS.md's generated parts and `fedsim list`.
///
/// Each generated part sits between `<!-- BEGIN GENERATED: name -->` and
/// `<!-- END GENERATED: name -->`; `update(_:)` rewrites those parts and nothing else, and a
/// test fails when the committed file differs from what the registries give.
public enum RegistryDocs {
    /// The names of the generated parts, in the order `fedsim list` prints them.
    public static let parts = ["aggregators", "pre-aggregation", "attacks", "models", "datasets", "partitions", "evaluations"]
    /// The generated parts of docs/RESULTS.md: the declared columns of the output files.
    public static let outputParts = ["rounds-columns", "figure-columns", "clients-columns", "compare-columns"]

    /// The Markdown of part `name` (one of `parts`).
    public static func markdown(_ name: String) -> String? {
        switch name {
        case "aggregators": return aggregators
        case "pre-aggregation": return preAggregation
        case "attacks": return attacks
        case "models": return models
        case "datasets": return datasets
        case "partitions": return partitions
        case "evaluations": return evaluations
        case "rounds-columns": return table(RoundsColumns.columns())
        case "figure-columns": return figures
        case "clients-columns": return table(ClientsColumns.schema)
        case "compare-columns": return table(CompareRow.schema)
        default: return nil
        }
    }

    /// `text` with every generated part rewritten; parts it lacks are left out.
    public static func update(_ text: String) -> String {
        var out = text
        for name in parts + outputParts {
            guard let body = markdown(name) else { continue }
            let begin = "<!-- BEGIN GENERATED: \(name) -->", end = "<!-- END GENERATED: \(name) -->"
            guard let b = out.range(of: begin), let e = out.range(of: end, range: b.upperBound..<out.endIndex) else { continue }
            out.replaceSubrange(b.upperBound..<e.lowerBound, with: "\n" + body)
        }
        return out
    }

    /// One registered component as listed: its name, notes (summary, what it reports), and
    /// its parameters; `uses` for the kinds of a section whose keys they share.
    public struct Entry: Sendable {
        public var name: String
        public var notes: [String]
        public var parameters: [Parameter] = []
        public var uses: [String] = []
    }

    /// The components of registry part `name` (one of `parts`), with the key that selects them.
    public static func entries(_ name: String) -> (key: String, entries: [Entry])? {
        switch name {
        case "aggregators":
            return ("`aggregator.kind`", Registry.aggregators.map { d in
                var notes = [d.summary]
                if d.keepsState { notes.append("keeps state between rounds (checkpointed)") }
                if !d.figures.isEmpty { notes.append("rounds.csv: " + d.figures.map { "`\($0.name)`" }.joined(separator: ", ")) }
                return Entry(name: d.name, notes: notes, parameters: d.parameters)
            })
        case "pre-aggregation":
            return ("`defense.` key", Registry.preAggregation.map { d in
                Entry(name: d.name, notes: [d.summary] + (d.figures.isEmpty ? [] : ["rounds.csv: " + d.figures.map { "`\($0.name)`" }.joined(separator: ", ")]),
                      parameters: d.parameters)
            })
        case "attacks":
            return ("`kind`", Registry.attacks.map { d in
                var notes = [d.summary, "acts: \(acts(d))"]
                if let m = d.successMetric { notes.append("success metric `\(m.name)`: \(m.doc)") }
                return Entry(name: d.name, notes: notes, parameters: d.parameters)
            })
        case "models":
            return ("`kind`", Registry.models.map { Entry(name: $0.name, notes: [$0.summary], parameters: $0.parameters) })
        case "evaluations":
            return ("`evaluate.` key", Registry.evaluations.map { d in
                let figures = d.figures(d.defaults).map { "`\($0.name)`" }
                return Entry(name: d.name, notes: [d.summary] + (figures.isEmpty ? [] : ["rounds.csv (defaults): " + figures.joined(separator: ", ")]),
                             parameters: d.parameters)
            })
        case "datasets":
            return ("`kind`", Registry.datasets.map { Entry(name: $0.name, notes: [$0.summary], uses: $0.uses) })
        case "partitions":
            return ("`kind`", Registry.partitions.map { Entry(name: $0.name, notes: [$0.summary], uses: $0.uses) })
        default:
            return nil
        }
    }

    static var aggregators: String { components("aggregators") }
    static var preAggregation: String { components("pre-aggregation") }
    static var attacks: String { components("attacks") }
    static var models: String { components("models") }
    static var evaluations: String { components("evaluations") }
    static var datasets: String { kinds("datasets") }
    static var partitions: String { kinds("partitions") }

    /// One row per component (its name and notes), then one per parameter.
    private static func components(_ part: String) -> String {
        guard let (title, items) = entries(part) else { return "" }
        var rows = ["| \(title) | key | default | allowed | meaning |", "|---|---|---|---|---|"]
        for item in items {
            rows.append("| `\(item.name)` | | | | \(cell(item.notes.joined(separator: "; "))) |")
            rows += item.parameters.map(parameterRow)
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// One row per kind of a section whose keys the kinds share (datasets, partitions).
    private static func kinds(_ part: String) -> String {
        guard let (_, items) = entries(part) else { return "" }
        var rows = ["| `kind` | reads | what |", "|---|---|---|"]
        for item in items {
            rows.append("| `\(item.name)` | \(item.uses.map { "`\($0)`" }.joined(separator: ", ")) | \(cell(item.notes.joined(separator: "; "))) |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private static func acts(_ d: AttackDescriptor) -> String {
        switch d.role {
        case .data: return "data poisoning, in the client"
        case .dataAndModel: return "data poisoning with a shaped update, in the client"
        case .model: return d.needsHub ? "model poisoning, crafted in the adversary hub (colluding)" : "model poisoning, in the client"
        case .wire: return "the wire protocol (refused and counted by the coordinator)"
        }
    }

    /// A table's columns in file order.
    static func table(_ schema: TableSchema) -> String {
        var rows = ["| column | type | unit | meaning |", "|---|---|---|---|"]
        for c in schema.columns {
            rows.append("| `\(c.name)` | \(c.kind.rawValue) | \(c.unit ?? "") | \(cell(c.doc)) |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// The figure columns each defence adds to rounds.csv (between `malicious_weight` and `epsilon`).
    static var figures: String {
        var rows = ["| defence | column | meaning |", "|---|---|---|"]
        for d in Registry.aggregators where !d.figures.isEmpty {
            for (i, f) in d.figures.enumerated() {
                rows.append("| \(i == 0 ? "`\(d.name)`" : "") | `\(f.name)` | \(cell(f.doc)) |")
            }
        }
        for d in Registry.preAggregation where !d.figures.isEmpty {
            for (i, f) in d.figures.enumerated() {
                rows.append("| \(i == 0 ? "`\(d.name):`" : "") | `\(f.name)` | \(cell(f.doc)) |")
            }
        }
        for (i, f) in GaussianMechanism.figureDocs.enumerated() {
            rows.append("| \(i == 0 ? "`dp:`" : "") | `\(f.name)` | \(cell(f.doc)) |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private static func parameterRow(_ p: Parameter) -> String {
        "| | `\(p.key)` | `\(p.defaultValue)` | \(cell(p.type.allowed)) | \(cell(p.doc)) |"
    }

    /// Text safe inside a table cell.
    private static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|")
    }
}
