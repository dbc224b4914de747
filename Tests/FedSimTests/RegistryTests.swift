import FedAttacks
import FedCore
import FedRobust
@testable import FedSim
import Foundation
import XCTest

/// Every registered component builds from its declared defaults, behaves as its descriptor
/// says (state, figures, collusion), reads and writes back through a scenario, and the
/// generated tables of docs/SCENARIOS.md match the registries.
final class RegistryTests: XCTestCase {
    private func parse(_ yaml: String) throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "r.yaml", baseDirectory: NSTemporaryDirectory())
    }

    private func round(_ n: Int, d: Int, round r: Int) -> (UpdateMatrix, AggregationContext) {
        var rng = SeededRNG(seed: UInt64(r)).derive("registry-test")
        let m = UpdateMatrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in Float(rng.nextGaussian()) })
        let context = AggregationContext(round: r, clientIds: Array(0..<n), weights: (0..<n).map { Double(10 + $0) },
                                         serverUpdate: m.row(0), rng: SeededRNG(seed: 3).derive("aggregate", r))
        return (m, context)
    }

    func testNamesAreUniqueInEveryRegistry() {
        let lists = [Registry.aggregators.map(\.name), Registry.preAggregation.map(\.name), Registry.attacks.map(\.name),
                     Registry.models.map(\.name),
                     Registry.datasets.map(\.name), Registry.partitions.map(\.name)]
        for names in lists {
            XCTAssertEqual(Set(names).count, names.count, "\(names)")
            XCTAssertFalse(names.contains(""))
        }
        for d in Registry.aggregators + [] {
            XCTAssertEqual(Set(d.parameters.map(\.key)).count, d.parameters.count, d.name)
        }
    }

    /// A pre-aggregation step's section sits under `defense:` beside `aggregator` and `dp`, builds
    /// from its defaults and round-trips through the resolved scenario.
    func testEveryPreAggregationStepBuildsAndRoundTrips() throws {
        for d in Registry.preAggregation {
            XCTAssertFalse(["aggregator", "dp"].contains(d.name), d.name)
            let step = try d.make(d.defaults)
            XCTAssertEqual(step.name, d.name)
            let (m, _) = round(6, d: 3, round: 1)
            let out = try step.apply(m, context: PreAggregationContext(round: 1, rng: SeededRNG(seed: 3).derive(d.name)))
            XCTAssertEqual(out.clipped.count, 6, d.name)
            XCTAssertEqual(out.updates.rows, step.outputRows(n: 6), d.name)
            XCTAssertEqual(out.mixing != nil, step.mixesRows, d.name)
            let declared = Set(d.figures.map(\.name))
            XCTAssertTrue(Set(out.figures.keys).isSubset(of: declared), "\(d.name): \(out.figures.keys) not all in \(declared)")
            let s = try parse("defense: {aggregator: median, \(d.name): {}}\n")
            XCTAssertEqual(s.defense.preAggregation.map(\.kind), [d.name])
            XCTAssertEqual(try parse(s.resolvedYAML()), s, d.name)
        }
    }

    /// Each rule built from its defaults: its name is its scenario name, every figure it
    /// reports is declared (so it gets a column), and it keeps state exactly when it says so.
    func testEveryAggregatorBuildsAndReportsOnlyDeclaredFigures() throws {
        for d in Registry.aggregators {
            var rule = try d.make(d.defaults)
            XCTAssertEqual(rule.name, d.name)
            XCTAssertNoThrow(try rule.check(n: 20), d.name)
            let (m, context) = round(20, d: 7, round: 1)
            let result = try rule.aggregate(m, context: context)
            XCTAssertEqual(result.aggregate.count, 7, d.name)
            XCTAssertEqual(result.decisions.count, 20, d.name)
            let declared = Set(d.figures.map(\.name))
            XCTAssertTrue(Set(result.figures.keys).isSubset(of: declared),
                          "\(d.name) reports \(result.figures.keys.sorted()), declares \(declared.sorted())")
            XCTAssertEqual(rule.savedState != nil, d.keepsState, d.name)
            if let f = d.maxF { XCTAssertEqual(f(20), try XCTUnwrap(AggregatorBench.Rule(rawValue: d.name)).fMax(n: 20)) }
        }
    }

    /// A rule restored from its saved state continues as if it had never stopped; a rule with
    /// no state refuses a state that is not empty.
    func testSavedStateRestoresTheNextRoundExactly() throws {
        for d in Registry.aggregators {
            var whole = try d.make(d.defaults)
            var first = try d.make(d.defaults)
            for r in 1...2 {
                let (m, c) = round(20, d: 5, round: r)
                _ = try whole.aggregate(m, context: c)
                _ = try first.aggregate(m, context: c)
            }
            var second = try d.make(d.defaults)
            if let state = first.savedState {
                try second.restore(state)
            } else {
                XCTAssertThrowsError(try second.restore(SavedState(vectors: ["x": [1]])), d.name)
            }
            let (m, c) = round(20, d: 5, round: 3)
            XCTAssertEqual(try second.aggregate(m, context: c).aggregate, try whole.aggregate(m, context: c).aggregate, d.name)
        }
    }

    func testDPPassesItsInnerRulesStateThrough() throws {
        var wrapped = try DPWrapped(inner: try CenteredClipping(), clip: 1, noiseMultiplier: 0, expectedClients: 20)
        let (m, c) = round(20, d: 4, round: 1)
        _ = try wrapped.aggregate(m, context: c)
        let state = try XCTUnwrap(wrapped.savedState)
        XCTAssertEqual(state.vectors["center"]?.count, 4)
        var fresh = try DPWrapped(inner: try CenteredClipping(), clip: 1, noiseMultiplier: 0, expectedClients: 20)
        try fresh.restore(state)
        XCTAssertEqual(fresh.savedState, state)
    }

    /// Each attack built from its defaults where it acts; a model attack colludes exactly when
    /// its descriptor says it needs the hub.
    func testEveryAttackBuildsWhereItActs() throws {
        let facts = AttackDescriptor.DataFacts(classes: 10, maxFeature: 1)
        for d in Registry.attacks {
            switch d.role {
            case .data:
                XCTAssertNotNil(try d.dataAttack(d.defaults, facts: facts), d.name)
                XCTAssertFalse(d.needsHub, d.name)
            case .model:
                let attack = try XCTUnwrap(try d.modelAttack(d.defaults), d.name)
                XCTAssertEqual(attack.name, d.name)
                XCTAssertEqual(attack.needsCollusion, d.needsHub, d.name)
            case .dataAndModel:
                XCTAssertNotNil(try d.dataAttack(d.defaults, facts: facts), d.name)
                let attack = try XCTUnwrap(try d.modelAttack(d.defaults), d.name)
                XCTAssertEqual(attack.name, d.name)
                XCTAssertFalse(d.needsHub || attack.needsCollusion, d.name)
            case .wire:
                XCTAssertNotNil(ProtocolAttacker.Behaviour(rawValue: d.name), d.name)
            }
        }
    }

    /// Every registered rule and attack, with its defaults, reads from a scenario and writes
    /// back a resolved form that reads to the same scenario.
    func testEveryComponentRoundTripsThroughTheResolvedScenario() throws {
        for d in Registry.aggregators {
            let s = try parse("federation: {clients: 20}\ndefense: {aggregator: \(d.name)}\n")
            XCTAssertEqual(s.defense.aggregator.kind, d.name)
            XCTAssertEqual(s.defense.aggregator.values, d.defaults)
            XCTAssertEqual(try parse(s.resolvedYAML()), s, d.name)
        }
        for d in Registry.attacks {
            let s = try parse("federation: {clients: 20}\nattack: {kind: \(d.name)}\n")
            XCTAssertEqual(s.attacks.map(\.kind), [d.name])
            XCTAssertEqual(try parse(s.resolvedYAML()), s, d.name)
        }
        for d in Registry.models {
            let s = try parse("model: {kind: \(d.name)}\n")
            XCTAssertEqual(try parse(s.resolvedYAML()), s, d.name)
        }
    }

    /// Values that depend on each other settle the same way when read back.
    func testCrossParameterRulesRoundTrip() throws {
        let cases: [(String, String, ParameterValue, UInt)] = [
            ("{kind: trimmed-mean, beta: 0.1}", "f", .null, #line),
            ("{kind: trimmed-mean, f: 2}", "beta", .null, #line),
            ("{kind: centered-clipping, tau: 10}", "tau_multiple", .null, #line),
            ("{kind: centered-clipping}", "tau_multiple", .number(1), #line),
            ("{kind: multi-krum, f: 1, m: 5}", "m", .int(5), #line),
        ]
        for (aggregator, key, expected, line) in cases {
            let s = try parse("federation: {clients: 20}\ndefense: {aggregator: \(aggregator)}\n")
            XCTAssertEqual(s.defense.aggregator.values[key], expected, line: line)
            XCTAssertEqual(try parse(s.resolvedYAML()), s, line: line)
        }
    }

    func testParameterErrorsNameTheKey() {
        let cases: [(String, String, UInt)] = [
            ("defense: {aggregator: {kind: krum, nope: 1}}\n",
             "r.yaml:2:36: defense.aggregator.nope: unknown key; allowed: kind, f", #line),
            ("defense: {aggregator: {kind: trimmed-mean, f: 2, beta: 0.1}}\n",
             "r.yaml:2:56: defense.aggregator.beta: give either f or beta, not both", #line),
            ("defense: {aggregator: {kind: krum, f: 1.5}}\n",
             "r.yaml:2:39: defense.aggregator.f: expected auto or a whole number of clients, got 1.5", #line),
            ("defense: {aggregator: {kind: robust-lr, theta: 0}}\n",
             "r.yaml:2:48: defense.aggregator.theta: 0 is out of range; allowed: theta >= 1", #line),
            ("attack: {kind: fang, factor: 1}\n",
             "r.yaml:2:30: attack.factor: 1 is out of range; allowed: factor > 1", #line),
            ("model: {kind: logistic, hidden: [8]}\n",
             "r.yaml:2:25: model.hidden: unknown key; allowed: kind", #line),
        ]
        for (yaml, message, line) in cases {
            XCTAssertThrowsError(try parse("federation: {clients: 20}\n" + yaml), line: line) {
                XCTAssertEqual("\($0)", message, line: line)
            }
        }
    }

    /// The generated parts of a doc, as the registries and column declarations give them.
    private func assertGeneratedPartsAreCurrent(_ doc: String, parts: [String], file: StaticString = #filePath,
                                                line: UInt = #line) throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let text = try String(contentsOfFile: url.appendingPathComponent(doc).path, encoding: .utf8)
        for part in parts {
            XCTAssertTrue(text.contains("<!-- BEGIN GENERATED: \(part) -->"), "\(doc) lacks the \(part) table", file: file, line: line)
        }
        XCTAssertEqual(RegistryDocs.update(text), text, "\(doc) is out of date: run `fedsim list --update-docs \(doc)`",
                       file: file, line: line)
    }

    func testTheGeneratedTablesOfTheScenarioDocsAreCurrent() throws {
        try assertGeneratedPartsAreCurrent("docs/SCENARIOS.md", parts: RegistryDocs.parts)
    }

    func testTheGeneratedColumnTablesOfTheResultsDocsAreCurrent() throws {
        try assertGeneratedPartsAreCurrent("docs/RESULTS.md", parts: RegistryDocs.outputParts)
    }
}
