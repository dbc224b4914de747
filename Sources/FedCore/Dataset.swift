/// A labelled dataset held as one contiguous row-major Float32 feature matrix.
///
/// `features` has `count * dimension` values (row i = sample i); `labels[i]` is in
/// `0..<classes`. Models read batches straight from this buffer.
public struct Dataset: Sendable, Equatable {
    public var features: [Float]
    public var labels: [Int32]
    public let dimension: Int
    public let classes: Int
    /// A short human name ("digits", "mnist", "csv:path", "synthetic").
    public var name: String

    public var count: Int { labels.count }

    public init(features: [Float], labels: [Int32], dimension: Int, classes: Int, name: String) {
        precondition(features.count == labels.count * dimension,
                     "Dataset: \(features.count) feature values for \(labels.count) samples of dimension \(dimension)")
        self.features = features
        self.labels = labels
        self.dimension = dimension
        self.classes = classes
        self.name = name
    }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var f = [Float]()
        f.reserveCapacity(indices.count * dimension)
        var l = [Int32]()
        l.reserveCapacity(indices.count)
        features.withUnsafeBufferPointer { src in
            for i in indices {
                f.append(contentsOf: src[(i * dimension)..<((i + 1) * dimension)])
                l.append(labels[i])
            }
        }
        return Dataset(features: f, labels: l, dimension: dimension, classes: classes, name: name)
    }

    /// Number of samples of each class.
    public func labelCounts() -> [Int] {
        var c = [Int](repeating: 0, count: classes)
        for y in labels { c[Int(y)] += 1 }
        return c
    }
}
