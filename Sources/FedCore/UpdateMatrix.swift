/// The n updates of a round in one contiguous row-major Float32 buffer (n x d, rows = clients).
///
/// Aggregators read this buffer directly; BLAS kernels and column passes work on it without
/// an array of arrays on the hot path. Rows are ordered by client id (several rules break ties
/// by index, so the order must not depend on message arrival).
public struct UpdateMatrix: Sendable, Equatable {
    /// Row-major values, `rows * columns` of them.
    public var values: [Float]
    /// Number of updates (n).
    public let rows: Int
    /// Number of model parameters (d).
    public let columns: Int

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns,
                     "UpdateMatrix: \(values.count) values for \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// An n x d matrix of zeros, to be filled row by row (huge pages for a large one:
    /// `LargeBuffer`).
    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: LargeBuffer.zeros(count: rows * columns))
    }

    /// Copies `row` into row `i`.
    public mutating func setRow(_ i: Int, _ row: [Float]) {
        precondition(row.count == columns, "UpdateMatrix.setRow: row of \(row.count) values, expected \(columns)")
        values.withUnsafeMutableBufferPointer { dst in
            row.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                (d + i * columns).update(from: s, count: columns)
            }
        }
    }

    /// Row `i` as a new array.
    public func row(_ i: Int) -> [Float] {
        Array(values[(i * columns)..<((i + 1) * columns)])
    }

    /// Euclidean norm of row `i`, accumulated in Double.
    public func rowNorm(_ i: Int) -> Double {
        values.withUnsafeBufferPointer { buf in
            var s = 0.0
            let base = i * columns
            for j in 0..<columns {
                let v = Double(buf[base + j])
                s += v * v
            }
            return s.squareRoot()
        }
    }
}
