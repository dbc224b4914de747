import FedTestSupport
import XCTest
@testable import FedCore

/// `SortedPartitioner` (partition.kind sorted) and the label-sorted order it shares with shards.
final class SortedPartitionTests: XCTestCase {
    /// `perClass` samples of each of `classes` labels, interleaved (0, 1, ..., 0, 1, ...).
    private func balanced(classes: Int, perClass: Int) -> Dataset {
        let labels = (0..<(classes * perClass)).map { Int32($0 % classes) }
        return Dataset(features: labels.map(Float.init), labels: labels, dimension: 1, classes: classes, name: "balanced")
    }

    // MARK: - The label-sorted order

    func testStableSortByLabelKeepsTheShuffledOrderInsideAClass() {
        // The worked example of the doc comment: labels [1, 0, 1, 0], shuffled order [2, 3, 0, 1].
        XCTAssertEqual(LabelSortedOrder.stableSortedByLabel([2, 3, 0, 1], labels: [1, 0, 1, 0], classes: 2), [3, 1, 2, 0])
        XCTAssertEqual(LabelSortedOrder.stableSortedByLabel([0, 1, 2, 3], labels: [1, 0, 1, 0], classes: 2), [1, 3, 0, 2])
        XCTAssertEqual(LabelSortedOrder.stableSortedByLabel([4, 0, 2], labels: [2, 9, 0, 9, 1], classes: 10), [2, 4, 0])
        XCTAssertEqual(LabelSortedOrder.stableSortedByLabel([], labels: [], classes: 3), [])
    }

    func testOrderIsAShuffleThenAStableSort() {
        let labels: [Int32] = [3, 1, 1, 0, 3, 2, 0, 1, 2, 2, 0, 3]
        var a = SeededRNG(seed: 9)
        let order = LabelSortedOrder.indices(labels: labels, classes: 4, rng: &a)
        // Sorted by label and a permutation of the indices.
        XCTAssertEqual(order.map { labels[$0] }, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
        XCTAssertEqual(order.sorted(), Array(0..<12))
        // The same draws as one Fisher–Yates shuffle of the indices, so the generator ends in the same state.
        var b = SeededRNG(seed: 9)
        var shuffled = Array(0..<12)
        b.shuffle(&shuffled)
        XCTAssertEqual(order, shuffled.filter { labels[$0] == 0 } + shuffled.filter { labels[$0] == 1 }
                              + shuffled.filter { labels[$0] == 2 } + shuffled.filter { labels[$0] == 3 })
        XCTAssertEqual(a.next(), b.next())
    }

    func testInsideAClassTheOrderIsNotTheFileOrder() {
        // 1,000 samples of one class: the chance that a shuffle leaves them ascending is 1/1000!.
        let labels = [Int32](repeating: 0, count: 1000)
        var rng = SeededRNG(seed: 1)
        let order = LabelSortedOrder.indices(labels: labels, classes: 1, rng: &rng)
        XCTAssertNotEqual(order, Array(0..<1000))
        XCTAssertEqual(order.sorted(), Array(0..<1000))
    }

    // MARK: - Sorted partition

    func testHandComputedSmallCase() throws {
        // Labels [0, 0, 1, 1, 1, 2], 3 clients of 2: client 0 the two 0s, client 1 two of the 1s,
        // client 2 the remaining 1 and the 2.
        let labels: [Int32] = [0, 0, 1, 1, 1, 2]
        let data = Dataset(features: [0, 1, 2, 3, 4, 5], labels: labels, dimension: 1, classes: 3, name: "t")
        for seed: UInt64 in [1, 2, 3, 4, 5] {
            var rng = SeededRNG(seed: seed)
            let p = try makePartition(data, clients: 3, spec: .sorted, rng: &rng)
            XCTAssertEqual(p.sizes, [2, 2, 2])
            XCTAssertEqual(Set(p.clientIndices[0]), [0, 1])
            XCTAssertEqual(p.clientIndices[1].map { labels[$0] }, [1, 1])
            XCTAssertEqual(p.clientIndices[2].map { labels[$0] }, [1, 2])
            XCTAssertEqual(Set(p.clientIndices[1] + p.clientIndices[2]), [2, 3, 4, 5])
        }
        // Uneven: 7 samples over 3 clients -> chunks [0, 2), [2, 4), [4, 7).
        let seven = Dataset(features: [Float](repeating: 0, count: 7), labels: [2, 1, 0, 2, 1, 0, 0],
                            dimension: 1, classes: 3, name: "t")
        var rng = SeededRNG(seed: 7)
        let q = try makePartition(seven, clients: 3, spec: .sorted, rng: &rng)
        XCTAssertEqual(q.sizes, [2, 2, 3])
        XCTAssertEqual(q.labelCounts(of: seven), [[2, 0, 0], [1, 1, 0], [0, 1, 2]])
    }

    func testKarimireddySetupGivesAtMostTwoLabelsPerClient() throws {
        // 10 classes x 100 samples over 25 workers (Karimireddy, He & Jaggi, ICLR 2022): chunks
        // of 40, so client j holds positions [40j, 40j + 40) of the label-sorted order.
        let data = balanced(classes: 10, perClass: 100)
        var rng = SeededRNG(seed: 2022)
        let p = try makePartition(data, clients: 25, spec: .sorted, rng: &rng)
        XCTAssertEqual(Set(p.sizes), [40])
        let counts = p.labelCounts(of: data)
        for (j, c) in counts.enumerated() {
            XCTAssertLessThanOrEqual(c.filter { $0 > 0 }.count, 2, "client \(j): \(c)")
            let expected = (0..<10).map { k in max(0, min(40 * j + 40, 100 * k + 100) - max(40 * j, 100 * k)) }
            XCTAssertEqual(c, expected, "client \(j)")
        }
        XCTAssertEqual(counts[0], [40, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(counts[2], [20, 20, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(counts[24], [0, 0, 0, 0, 0, 0, 0, 0, 0, 40])
        // Client order follows the labels: the lowest label a client holds never decreases.
        let lowest = counts.map { $0.firstIndex(where: { $0 > 0 }) ?? -1 }
        XCTAssertEqual(lowest, lowest.sorted())
    }

    func testDeterministicAndSeedDependentInsideClasses() throws {
        let data = balanced(classes: 10, perClass: 100)
        var a = SeededRNG(seed: 5), b = SeededRNG(seed: 5), c = SeededRNG(seed: 6)
        let p = try makePartition(data, clients: 25, spec: .sorted, rng: &a)
        XCTAssertEqual(try makePartition(data, clients: 25, spec: .sorted, rng: &b), p)
        let q = try makePartition(data, clients: 25, spec: .sorted, rng: &c)
        XCTAssertNotEqual(q, p)
        // Another seed changes which samples, never how many of each label.
        XCTAssertEqual(q.labelCounts(of: data), p.labelCounts(of: data))
    }

    func testTooManyClientsThrowsWithTheNumbers() {
        let data = balanced(classes: 2, perClass: 2)
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(thrownMessage { _ = try makePartition(data, clients: 5, spec: .sorted, rng: &rng) },
                       "cannot partition 4 samples among 5 clients (need 1 <= clients <= samples)")
        XCTAssertEqual(thrownMessage { _ = try SortedPartitioner.split(labels: [0, 1], classes: 2, clients: 0, rng: &rng) },
                       "cannot partition 2 samples among 0 clients (need 1 <= clients <= samples)")
    }

    // MARK: - Shards shuffle inside a class too

    func testShardsNoLongerKeepFileOrderInsideAClass() throws {
        // One class of 100 in file order, 2 clients x 1 shard of 50: before the shuffle client
        // shards were the runs 0..<50 and 50..<100.
        let data = balanced(classes: 1, perClass: 100)
        var rng = SeededRNG(seed: 3)
        let p = try makePartition(data, clients: 2, spec: .shards(perClient: 1), rng: &rng)
        XCTAssertEqual(p.sizes, [50, 50])
        for list in p.clientIndices {
            XCTAssertNotEqual(list.sorted(), Array(0..<50))
            XCTAssertNotEqual(list.sorted(), Array(50..<100))
        }
    }
}
