import XCTest
@testable import FedSim
import FedRobust

/// The aggregator benchmark at a tiny size: one result per rule, legal f, parseable lines.
/// No wall-clock assertions (timings only need to be finite and positive).
final class BenchTests: XCTestCase {
    func testEveryRuleRunsOnceWithFiniteTimingsAndALegalF() throws {
        // Prepare
        let config = AggregatorBench.Configuration(n: 12, d: 1_000, repeats: 1, warmup: 0, seed: 7)
        var seen: [AggregatorBench.Rule] = []

        // Execute
        let results = try AggregatorBench.run(config) { seen.append($0.rule) }

        // Assert
        XCTAssertEqual(results.map(\.rule), AggregatorBench.Rule.allCases)
        XCTAssertEqual(seen, AggregatorBench.Rule.allCases, "progress is called once per rule, in order")
        for r in results {
            XCTAssertEqual(r.timesMs.count, 1, r.rule.rawValue)
            XCTAssertTrue(r.bestMs.isFinite && r.bestMs > 0, "\(r.rule.rawValue): best \(r.bestMs)")
            XCTAssertTrue(r.medianMs.isFinite && r.medianMs > 0, "\(r.rule.rawValue): median \(r.medianMs)")
            XCTAssertEqual(r.outliers, 2, "⌊0.2 · 12⌋ outlier rows")
            XCTAssertEqual(r.warmup, r.rule.isStateful ? 1 : 0, "\(r.rule.rawValue): stateful rules warm up once")
        }
        let f = Dictionary(uniqueKeysWithValues: results.map { ($0.rule, $0.f) })
        // n = 12, requested f = 2: Krum 12 > 2·2 + 2, Bulyan 12 ≥ 4·2 + 3, trimmed mean 12 > 2·2.
        XCTAssertEqual(f[rule("krum")], 2)
        XCTAssertEqual(f[rule("multi-krum")], 2)
        XCTAssertEqual(f[rule("bulyan")], 2)
        XCTAssertEqual(f[rule("trimmed-mean")], 2)
    }

    func testFIsTheLargestLegalValueNotAboveTheRequestedOne() throws {
        // (rule, n, requested f, expected f); nil = the rule has no f.
        let table: [(AggregatorBench.Rule, Int, Int, Int?, UInt)] = [
            (rule("krum"), 10, 2, 2, #line),          // 10 > 6
            (rule("krum"), 10, 5, 3, #line),          // f_max = ⌊(10 − 3)/2⌋ = 3
            (rule("multi-krum"), 7, 3, 2, #line),
            (rule("bulyan"), 10, 2, 1, #line),        // 10 ≥ 4f + 3 → f ≤ 1
            (rule("bulyan"), 20, 4, 4, #line),        // 20 ≥ 19
            (rule("bulyan"), 100, 20, 20, #line),
            (rule("trimmed-mean"), 4, 3, 1, #line),    // 4 > 2b → b ≤ 1
            (rule("median"), 10, 2, nil, #line),
            (rule("foolsgold"), 10, 2, nil, #line),
        ]
        for (rule, n, requested, expected, line) in table {
            XCTAssertEqual(try rule.f(requested: requested, n: n), expected, rule.rawValue, line: line)
            if let f = expected {
                switch rule.rawValue {
                case "krum", "multi-krum": XCTAssertTrue(n > 2 * f + 2, line: line)
                case "bulyan": XCTAssertTrue(n >= 4 * f + 3, line: line)
                default: XCTAssertTrue(n > 2 * f, line: line)
                }
            }
        }
        XCTAssertThrowsError(try rule("bulyan").f(requested: 0, n: 2))
    }

    func testTheMemoryFloorIsTimedOnceBeforeTheRulesAndPrintsAsALine() throws {
        // Prepare
        let config = AggregatorBench.Configuration(n: 10, d: 3_000, repeats: 3, warmup: 1, rules: [rule("fedavg")])
        var floors: [AggregatorBench.Floor] = []
        var order: [String] = []

        // Execute
        _ = try AggregatorBench.run(config, progress: { _ in order.append("rule") },
                                    floor: { floors.append($0); order.append("floor") })

        // Assert
        XCTAssertEqual(order, ["floor", "rule"])
        let floor = try XCTUnwrap(floors.first)
        XCTAssertEqual(floor.timesMs.count, 3)
        XCTAssertTrue(floor.bestMs > 0 && floor.bestMs <= floor.medianMs, "\(floor.timesMs)")
        XCTAssertEqual(floor.gigabytesPerSecond, Double(4 * 10 * 3_000) / (floor.bestMs * 1e6), accuracy: 1e-9)
        let text = BenchOutput.line(BenchOutput.fields(floor), type: "floor", format: .text)
        let fields = try XCTUnwrap(BenchOutput.parse(text, type: "floor"), text)
        XCTAssertEqual(fields["pass"], "read")
        XCTAssertEqual(fields["n"], "10")
        XCTAssertEqual(fields["d"], "3000")
        XCTAssertNil(BenchOutput.parse(text), "a floor line is not a rule's result")
    }

    func testTheComputeFloorCountsItsMultiplyAddsAndBoundsTheGramMatrix() throws {
        // Prepare
        let config = AggregatorBench.Configuration(n: 10, d: 3_000, repeats: 2, warmup: 0, rules: [rule("fedavg")])
        var floors: [AggregatorBench.ComputeFloor] = []

        // Execute
        _ = try AggregatorBench.run(config, computeFloor: { floors.append($0) })
        let one = AggregatorBench.timeComputeFloor(config: config, iterations: 1_000)

        // Assert
        XCTAssertEqual(floors.count, 1)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        XCTAssertEqual(one.threads, cores)
        // 1,000 iterations per core of 12 chains x the selected version's lanes (in 4 tasks per
        // core of 250 iterations on a multi-core machine).
        let lanes: Double = ["avx512": 16, "avx2": 8][KernelISA.current] ?? 1
        XCTAssertEqual(one.multiplyAdds, Double(1_000 * cores) * 12 * lanes)
        XCTAssertEqual(one.gigaMultiplyAddsPerSecond, one.multiplyAdds / (one.bestMs * 1e6), accuracy: 1e-9)
        // n(n+1)/2 · d = 55 · 3,000 multiply-adds at that rate.
        XCTAssertEqual(ComputePass.gramMultiplyAdds(n: 10, d: 3_000), 165_000)
        XCTAssertEqual(one.gramMs, 165_000 / (one.gigaMultiplyAddsPerSecond * 1e6), accuracy: 1e-9)
        let text = BenchOutput.line(BenchOutput.fields(one), type: "floor", format: .text)
        let fields = try XCTUnwrap(BenchOutput.parse(text, type: "floor"), text)
        XCTAssertEqual(fields["pass"], "fma")
        XCTAssertEqual(fields["threads"], "\(cores)")
        XCTAssertNotNil(fields["gram_floor_ms"].flatMap(Double.init))
    }

    func testTheComputePassChecksumIsTheSameOnEveryVersionsLanes() {
        // Every lane of chain i runs a <- a·m + c from a = i, so the checksum of one task is
        // lanes x the sum over chains; the versions differ only in rounding (fused or not).
        let iterations = 100
        var expected = 0.0
        for i in 0..<12 {
            var a = Float(i)
            for _ in 0..<iterations { a = a * 0.999999 + 1e-7 }
            expected += Double(a)
        }
        let generic = ComputePass.run(tasks: 1, iterations: iterations, isa: 1)
        XCTAssertEqual(generic.multiplyAdds, Double(iterations * 12))
        XCTAssertEqual(generic.checksum, expected, accuracy: 1e-4)
        let best = ComputePass.run(tasks: 3, iterations: iterations)
        let lanes = best.multiplyAdds / Double(3 * iterations * 12)
        XCTAssertEqual(best.checksum, 3 * lanes * expected, accuracy: 1e-3 * lanes)
    }

    func testResultLinesParseAsKeyValue() throws {
        // Prepare
        let config = AggregatorBench.Configuration(n: 12, d: 1_000, repeats: 2, rules: [rule("median"), rule("bulyan"), rule("foolsgold")])
        let results = try AggregatorBench.run(config)

        for r in results {
            // Execute
            let text = BenchOutput.line(BenchOutput.fields(r), type: "bench", format: .text)
            let json = BenchOutput.line(BenchOutput.fields(r), type: "bench", format: .json)

            // Assert
            let fields = try XCTUnwrap(BenchOutput.parse(text), text)
            XCTAssertEqual(fields["aggregator"], r.rule.rawValue)
            XCTAssertEqual(fields["impl"], "fedsim")
            XCTAssertEqual(fields["n"], "12")
            XCTAssertEqual(fields["d"], "1000")
            XCTAssertEqual(fields["f"], "\(r.f)")
            XCTAssertEqual(fields["repeats"], "2")
            for key in ["best_ms", "median_ms"] {
                let v = try XCTUnwrap(fields[key].flatMap(Double.init), "\(key) in \(text)")
                XCTAssertTrue(v >= 0 && v.isFinite, text)
            }
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            XCTAssertEqual(object?["type"] as? String, "bench")
            XCTAssertEqual(object?["aggregator"] as? String, r.rule.rawValue)
            XCTAssertNotNil(object?["best_ms"] as? Double, json)
        }
        let header = BenchOutput.line(BenchOutput.header(config, cores: 2), type: "header", format: .json)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(header.utf8)), header)
        XCTAssertNil(BenchOutput.parse("# header n=12"), "comments are not results")
    }

    func testOptionsAreValidated() {
        XCTAssertEqual(try AggregatorBench.Rule.parseList("median, krum"), [rule("median"), rule("krum")])
        XCTAssertThrowsError(try AggregatorBench.Rule.parseList("median,nope")) { error in
            XCTAssertEqual(error as? BenchError, .unknownRule("nope"))
        }
        let bad: [AggregatorBench.Configuration] = [
            .init(n: 0, d: 10),
            .init(n: 10, d: 10, repeats: 0),
            .init(n: 10, d: 10, f: 11),
            .init(n: 2, d: 10, rules: [rule("krum")]),
        ]
        for c in bad { XCTAssertThrowsError(try c.validate(), "\(c)") }
    }

    /// `--pre bucketing`: every rule runs on the ⌈12/2⌉ = 6 bucket means, so Krum's f is the
    /// largest legal one for 6 rows (⌊(6 − 3)/2⌋ = 1, not the requested 2); lines say `pre=`.
    func testPreAggregationRunsBeforeEachRuleOnItsRows() throws {
        let config = AggregatorBench.Configuration(n: 12, d: 500, repeats: 1, warmup: 0,
                                                   rules: [rule("krum"), rule("median")], seed: 7, pre: ["bucketing"])
        let results = try AggregatorBench.run(config)
        XCTAssertEqual(results.map(\.f), [1, 2])
        XCTAssertEqual(results.map(\.pre), [["bucketing"], ["bucketing"]])
        let text = BenchOutput.line(BenchOutput.fields(results[0]), type: "bench", format: .text)
        XCTAssertEqual(BenchOutput.parse(text)?["pre"], "bucketing", text)
        XCTAssertNil(BenchOutput.parse(BenchOutput.line(BenchOutput.fields(
            try AggregatorBench.run(.init(n: 12, d: 500, repeats: 1, warmup: 0, rules: [rule("median")]))[0]),
            type: "bench", format: .text))?["pre"], "no pre field without --pre")
        XCTAssertThrowsError(try AggregatorBench.Configuration(n: 12, d: 10, pre: ["bucket"]).validate()) { error in
            XCTAssertEqual("\(error)", "unknown pre-aggregation step 'bucket'; known: clip, nnm, bucketing")
        }
    }

    func testTheMatrixIsSeededAndHasScaledOutlierRows() {
        let a = BenchMatrix(n: 10, d: 2_000, outliers: 2, seed: 3)
        let b = BenchMatrix(n: 10, d: 2_000, outliers: 2, seed: 3)
        XCTAssertEqual(a.updates, b.updates, "same seed, same matrix")
        XCTAssertEqual(a.serverUpdate.count, 2_000)
        let honest = a.updates.rowNorm(0), outlier = a.updates.rowNorm(9)
        // ||x|| ≈ sqrt(d) = 44.7 for N(0, 1) rows, ≈ 447 for the ×10 rows.
        XCTAssertEqual(honest, 2_000.0.squareRoot(), accuracy: 5)
        XCTAssertEqual(outlier, 10 * 2_000.0.squareRoot(), accuracy: 50)
    }
}

/// The registered rule `name` (the test fails at once on a typo).
private func rule(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> AggregatorBench.Rule {
    guard let r = AggregatorBench.Rule(rawValue: name) else {
        XCTFail("no registered rule \(name)", file: file, line: line)
        return AggregatorBench.Rule.allCases[0]
    }
    return r
}
