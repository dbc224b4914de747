@testable import FedSim
import XCTest

/// `--shard K/N`: the N slices are disjoint, cover the matrix and differ in size by at most one;
/// a bad value is one line naming it.
final class CompareShardTests: XCTestCase {
    func testSlicesPartitionTheMatrix() throws {
        for cells in [0, 1, 5, 12, 37] {
            for n in 1...6 {
                let shards = try (0..<n).map { try CompareShard(index: $0, count: n) }
                let owned = shards.map { s in (0..<cells).filter { s.owns(position: $0) } }
                XCTAssertEqual(owned.flatMap { $0 }.sorted(), Array(0..<cells), "\(cells) cells, \(n) shards")
                let sizes = owned.map(\.count)
                XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1)
            }
        }
        // Round robin in matrix order: shard 1 of 3 runs cells 1, 4, 7.
        let s = try CompareShard(parsing: "1/3")
        XCTAssertEqual((0..<9).filter { s.owns(position: $0) }, [1, 4, 7])
        XCTAssertEqual(s.csvPath, "shards/compare-1-of-3.csv")
    }

    func testBadValuesNameTheProblem() {
        let table: [(String, String)] = [
            ("3/3", "--shard 3/3: K must be in 0...2 (K counts from 0)"),
            ("-1/3", "--shard -1/3: K must be in 0...2 (K counts from 0)"),
            ("0/0", "--shard 0/0: N must be at least 1"),
            ("1", "--shard 1: expected K/N with whole numbers, e.g. --shard 0/4"),
            ("a/b", "--shard a/b: expected K/N with whole numbers, e.g. --shard 0/4"),
        ]
        for (text, message) in table {
            XCTAssertThrowsError(try CompareShard(parsing: text), text) { XCTAssertEqual("\($0)", message) }
        }
    }
}
