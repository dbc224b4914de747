import FedCore
@testable import FedSim
import XCTest

/// `fedsim list` is generated from the registries: every registered name, and every parameter
/// with its default and allowed values, appears under its topic.
final class RegistryListingTests: XCTestCase {
    private func check(_ part: String, _ entries: [(name: String, parameters: [Parameter])], line: UInt = #line) throws {
        let text = try XCTUnwrap(RegistryListing.text(part), line: line)
        let lines = text.components(separatedBy: "\n")
        for e in entries {
            let head = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(e.name + ": ") }, "\(part): \(e.name) missing", line: line)
            // Its parameters follow its line, in declaration order, each as key=default (allowed) doc.
            let block = lines[(head + 1)...].prefix { !$0.isEmpty }
            for p in e.parameters {
                let row = block.first { $0.hasPrefix("    \(p.key)=") }
                XCTAssertNotNil(row, "\(part): \(e.name).\(p.key)", line: line)
                guard let row else { continue }
                XCTAssertTrue(row.hasPrefix("    \(p.key)=\(p.defaultValue) "), row, line: line)
                XCTAssertTrue(row.contains("(\(p.type.allowed.replacingOccurrences(of: "`", with: "")))") && row.contains(p.doc.replacingOccurrences(of: "`", with: "")),
                              row, line: line)
            }
        }
    }

    func testEveryTopicListsItsRegistry() throws {
        try check("attacks", Registry.attacks.map { ($0.name, $0.parameters) })
        try check("aggregators", Registry.aggregators.map { ($0.name, $0.parameters) })
        try check("pre-aggregation", Registry.preAggregation.map { ($0.name, $0.parameters) })
        try check("models", Registry.models.map { ($0.name, $0.parameters) })
        try check("evaluations", Registry.evaluations.map { ($0.name, $0.parameters) })
        try check("datasets", Registry.datasets.map { ($0.name, []) })
        try check("partitions", Registry.partitions.map { ($0.name, []) })
    }

    func testTopics() {
        XCTAssertEqual(RegistryListing.parts(of: "defenses"), ["aggregators", "pre-aggregation"])
        XCTAssertEqual(RegistryListing.parts(of: "attacks"), ["attacks"])
        XCTAssertNil(RegistryListing.parts(of: "attaks"))
        XCTAssertEqual(Suggestion.closest(to: "attaks", among: RegistryListing.topics), "attacks")
        XCTAssertEqual(Suggestion.closest(to: "defences", among: RegistryListing.topics), "defenses")
    }
}
