import FedTestSupport
import XCTest
@testable import FedCore

final class PartitionTests: XCTestCase {
    private static let digits: Dataset? = try? DigitsData.load()

    private func digits() throws -> Dataset {
        try XCTUnwrap(Self.digits)
    }

    /// Every index appears in exactly one client list.
    private func assertCovers(_ p: Partition, _ n: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(p.sizes.reduce(0, +), n, file: file, line: line)
        var seen = [Bool](repeating: false, count: n)
        for list in p.clientIndices {
            for i in list {
                XCTAssertFalse(seen[i], "index \(i) given twice", file: file, line: line)
                seen[i] = true
            }
        }
        XCTAssertTrue(seen.allSatisfy { $0 }, file: file, line: line)
    }

    /// Mean over non-empty clients of the largest class share max_k n_jk / n_j.
    private func meanMaxShare(_ p: Partition, _ data: Dataset) -> Double {
        let counts = p.labelCounts(of: data).filter { $0.reduce(0, +) > 0 }
        let shares = counts.map { Double($0.max() ?? 0) / Double($0.reduce(0, +)) }
        return shares.reduce(0, +) / Double(shares.count)
    }

    // MARK: - All kinds

    func testEveryKindCoversTheDataDisjointlyAndIsDeterministic() throws {
        let data = try digits()
        let specs: [PartitionSpec] = [.iid, .dirichlet(alpha: 0.5, minSamples: 10), .shards(perClient: 2), .sorted]
        for spec in specs {
            var rng = SeededRNG(seed: 2024)
            let p = try makePartition(data, clients: 20, spec: spec, rng: &rng)
            XCTAssertEqual(p.clients, 20, "\(spec)")
            assertCovers(p, data.count)
            let counts = p.labelCounts(of: data)
            XCTAssertEqual(counts.count, 20)
            XCTAssertEqual((0..<10).map { k in counts.map { $0[k] }.reduce(0, +) }, data.labelCounts())

            var same = SeededRNG(seed: 2024)
            XCTAssertEqual(try makePartition(data, clients: 20, spec: spec, rng: &same), p, "\(spec)")
            var other = SeededRNG(seed: 2025)
            XCTAssertNotEqual(try makePartition(data, clients: 20, spec: spec, rng: &other), p, "\(spec)")
        }
    }

    // MARK: - IID

    func testIIDSizesDifferByAtMostOne() throws {
        let data = try digits()
        var rng = SeededRNG(seed: 1)
        let p = try makePartition(data, clients: 7, spec: .iid, rng: &rng)
        XCTAssertEqual(p.redraws, 0)
        XCTAssertLessThanOrEqual((p.sizes.max() ?? 0) - (p.sizes.min() ?? 0), 1)
        XCTAssertLessThan(meanMaxShare(p, data), 0.2)
        var one = SeededRNG(seed: 1)
        XCTAssertEqual(try makePartition(data, clients: 1, spec: .iid, rng: &one).sizes, [1797])
        var all = SeededRNG(seed: 1)
        XCTAssertEqual(Set(try makePartition(data, clients: 1797, spec: .iid, rng: &all).sizes), [1])
    }

    // MARK: - Dirichlet

    func testDirichletSkewGrowsAsAlphaFalls() throws {
        let data = try digits()
        var skews = [Double]()
        for alpha in [100.0, 1.0, 0.1] {
            var rng = SeededRNG(seed: 5)
            let p = try makePartition(data, clients: 10, spec: .dirichlet(alpha: alpha, minSamples: 10), rng: &rng)
            assertCovers(p, data.count)
            XCTAssertGreaterThanOrEqual(p.sizes.min() ?? 0, 10)
            skews.append(meanMaxShare(p, data))
        }
        // alpha 100 is close to IID (max share near 0.1); 0.1 is dominated by one or two classes.
        XCTAssertLessThan(skews[0], 0.2, "\(skews)")
        XCTAssertLessThan(skews[0], skews[1], "\(skews)")
        XCTAssertLessThan(skews[1], skews[2], "\(skews)")
        XCTAssertGreaterThan(skews[2], 0.5, "\(skews)")
    }

    func testDirichletRedrawsAreCountedAndEnforceTheMinimum() throws {
        let data = try digits()
        var rng = SeededRNG(seed: 9)
        let p = try makePartition(data, clients: 30, spec: .dirichlet(alpha: 0.5, minSamples: 20), rng: &rng)
        XCTAssertGreaterThanOrEqual(p.sizes.min() ?? 0, 20)
        XCTAssertGreaterThan(p.redraws, 0)
        assertCovers(p, data.count)
        // With the minimum off nothing is redrawn.
        var rng2 = SeededRNG(seed: 9)
        XCTAssertEqual(try makePartition(data, clients: 30, spec: .dirichlet(alpha: 0.5, minSamples: 0),
                                         rng: &rng2).redraws, 0)
    }

    func testDirichletErrors() throws {
        let data = try digits()
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 10, spec: .dirichlet(alpha: 0, minSamples: 1), rng: &rng) },
                       "invalid parameter: dirichlet: alpha must be finite and > 0; got 0.0")
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 100, spec: .dirichlet(alpha: 1, minSamples: 20), rng: &rng) },
                       "invalid parameter: dirichlet: 100 clients x minSamples 20 needs 2000 samples; only 1797")
        let stubborn = try DirichletPartitioner(alpha: 0.01, minSamples: 30, maxRedraws: 5)
        XCTAssertEqual(thrownMessage { _ = try stubborn.split(labels: data.labels, classes: 10, clients: 50, rng: &rng) },
                       "dirichlet(alpha = 0.01): after 5 redraws some of the 50 clients still had fewer than 30 "
                       + "of 1797 samples; raise alpha or lower minSamples")
        XCTAssertEqual(try DirichletPartitioner(alpha: 1).maxRedraws, 1000)
        XCTAssertEqual(PartitionSpec.dirichlet(alpha: 0.5), .dirichlet(alpha: 0.5, minSamples: 10))
    }

    // MARK: - Shards

    func testShardsEqualSizesAndFewClassesPerClient() throws {
        let data = try digits().subset(Array(0..<1600))
        var rng = SeededRNG(seed: 17)
        let p = try makePartition(data, clients: 20, spec: .shards(perClient: 2), rng: &rng)
        assertCovers(p, data.count)
        XCTAssertEqual(Set(p.sizes), [80])
        let classesSeen = p.labelCounts(of: data).map { $0.filter { $0 > 0 }.count }
        XCTAssertTrue(classesSeen.allSatisfy { $0 <= 4 }, "\(classesSeen)")
        XCTAssertGreaterThanOrEqual(classesSeen.filter { $0 <= 2 }.count, 10, "\(classesSeen)")

        // 1797 samples in 40 shards: sizes 44 or 45, so clients hold 88 to 90.
        var rng2 = SeededRNG(seed: 17)
        let q = try makePartition(try digits(), clients: 20, spec: .shards(perClient: 2), rng: &rng2)
        assertCovers(q, 1797)
        XCTAssertLessThanOrEqual((q.sizes.max() ?? 0) - (q.sizes.min() ?? 0), 2)
    }

    func testShardsCanonicalShapeOnSortedLabels() throws {
        // 10 classes x 30 samples, 10 clients x 1 shard of 30: every client sees exactly one class.
        let labels = (0..<300).map { Int32($0 % 10) }
        let data = Dataset(features: [Float](repeating: 0, count: 300), labels: labels, dimension: 1,
                           classes: 10, name: "t")
        var rng = SeededRNG(seed: 3)
        let p = try makePartition(data, clients: 10, spec: .shards(perClient: 1), rng: &rng)
        let counts = p.labelCounts(of: data)
        XCTAssertEqual(Set(counts.map { $0.filter { $0 > 0 } }), [[30]])
        XCTAssertEqual(Set(counts.map { $0.firstIndex(of: 30) ?? -1 }), Set(0..<10))
    }

    func testImpossibleRequestsThrowWithTheNumbers() throws {
        let data = try digits().subset(Array(0..<50))
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 51, spec: .iid, rng: &rng) },
                       "cannot partition 50 samples among 51 clients (need 1 <= clients <= samples)")
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 0, spec: .iid, rng: &rng) },
                       "cannot partition 50 samples among 0 clients (need 1 <= clients <= samples)")
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 20, spec: .shards(perClient: 3), rng: &rng) },
                       "shards: 20 clients x 3 shards = 60 shards but only 50 samples; some shards would be empty")
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 5, spec: .shards(perClient: 0), rng: &rng) },
                       "invalid parameter: shards: perClient must be >= 1; got 0")
    }
}
