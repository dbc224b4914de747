/// A labelled dataset held as one contiguous row-major Float32 feature matrix.
///
/// `features` has `count * dimension` values (row i = sample i); `labels[i]` is in
/// `0..<classes`. Models read batches straight from this buffer.
///
/// `shape` is one sample's shape, outermost first, and its product is `dimension`: `[C, H, W]`
/// for images (channels x rows x columns, so that a row of pixels is contiguous: MNIST is
/// `[1, 28, 28]`, CIFAR-10 `[3, 32, 32]`, digits `[1, 8, 8]`), `[dimension]` for flat features.
/// Dense models read only `dimension`; convolutional models need `[C, H, W]`.
public struct Dataset: Sendable, Equatable {
    public var features: [Float]
    public var labels: [Int32]
    public let dimension: Int
    /// One sample's shape (product `dimension`).
    public let shape: [Int]
    public let classes: Int
    /// A short human name ("digits", "mnist", "csv:path", "synthetic").
    public var name: String
    /// The original label of each class, when the source's labels were not class numbers
    /// (a CSV file read with `labels: auto`): class k is `classNames[k]`; nil otherwise.
    public var classNames: [String]?
    /// Where each sample came from: its row in the source as loaded (the file's sample order),
    /// set by `stratifiedSplit` for the sets it cuts out of one source; nil: sample i is the
    /// source's row i. Protocol v2 tells foreign clients their shard in these rows
    /// (docs/PROTOCOL.md section 4b). Not part of `==`.
    public var sourceRows: [Int]?

    public var count: Int { labels.count }

    /// The source row of sample `i` (see `sourceRows`).
    public func sourceRow(_ i: Int) -> Int { sourceRows?[i] ?? i }

    public static func == (a: Dataset, b: Dataset) -> Bool {
        a.features == b.features && a.labels == b.labels && a.dimension == b.dimension && a.shape == b.shape
            && a.classes == b.classes && a.name == b.name && a.classNames == b.classNames
    }

    public init(features: [Float], labels: [Int32], dimension: Int, shape: [Int]? = nil, classes: Int, name: String) {
        precondition(features.count == labels.count * dimension,
                     "Dataset: \(features.count) feature values for \(labels.count) samples of dimension \(dimension)")
        let shape = shape ?? [dimension]
        precondition(shape.reduce(1, *) == dimension && shape.allSatisfy { $0 > 0 },
                     "Dataset: sample shape \(shape) does not hold \(dimension) values")
        self.features = features
        self.labels = labels
        self.dimension = dimension
        self.shape = shape
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
        var d = Dataset(features: f, labels: l, dimension: dimension, shape: shape, classes: classes, name: name)
        d.classNames = classNames
        return d
    }

    /// Number of samples of each class.
    public func labelCounts() -> [Int] {
        var c = [Int](repeating: 0, count: classes)
        for y in labels { c[Int(y)] += 1 }
        return c
    }
}
