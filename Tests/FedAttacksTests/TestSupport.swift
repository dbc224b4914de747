import FedAttacks
import FedCore
import XCTest

/// A matrix from literal rows.
func matrix(_ rows: [[Float]]) -> UpdateMatrix {
    UpdateMatrix(rows: rows.count, columns: rows.first?.count ?? 0, values: rows.flatMap { $0 })
}

/// An attack input with `own` and `benign` rows (benign defaults to own).
func input(own: [[Float]], benign: [[Float]]? = nil, n: Int = 10, f: Int = 2, round: Int = 1,
           previous: [Float]? = nil) -> AttackInput {
    AttackInput(own: matrix(own), benign: matrix(benign ?? own), totalClients: n, maliciousClients: f,
                round: round, previousGlobalChange: previous)
}

/// Random rows of Gaussian values, deterministic per seed.
func randomMatrix(rows: Int, columns: Int, seed: UInt64, mean: Double = 0, std: Double = 1) -> UpdateMatrix {
    var rng = SeededRNG(seed: seed)
    let values = (0..<(rows * columns)).map { _ in Float(mean + std * rng.nextGaussian()) }
    return UpdateMatrix(rows: rows, columns: columns, values: values)
}

func assertClose(_ a: [Float], _ b: [Double], accuracy: Double, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
    for (x, y) in zip(a, b) {
        XCTAssertEqual(Double(x), y, accuracy: accuracy, "\(a) vs \(b) \(message)", file: file, line: line)
    }
}

/// Every row of `m` equals row 0.
func allRowsEqual(_ m: UpdateMatrix) -> Bool {
    guard m.rows > 1 else { return true }
    let first = m.row(0)
    return (1..<m.rows).allSatisfy { m.row($0) == first }
}

/// Squared Euclidean distance in Double.
func squaredDistance(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { s, p in
        let e = Double(p.0) - Double(p.1)
        return s + e * e
    }
}
