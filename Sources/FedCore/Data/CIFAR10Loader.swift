#if canImport(Glibc)
import Glibc
#endif

/// CIFAR-10 (Krizhevsky, "Learning multiple layers of features from tiny images", 2009) from its
/// binary version (`cifar-10-binary.tar.gz`, https://www.cs.toronto.edu/~kriz/cifar.html).
///
/// Format: each file is a run of 3,073-byte records: 1 label byte (0...9), then 3,072 pixel
/// bytes, the 1,024 red values of the 32 x 32 image row-major, then the 1,024 green, then the
/// 1,024 blue. A sample keeps exactly that order, so its shape is [3, 32, 32] (channels, rows,
/// columns) with raw values 0...255. `data_batch_1.bin` ... `data_batch_5.bin` are the training
/// set (50,000) and `test_batch.bin` the test set (10,000), 10,000 records each.
///
/// The folder may be the one holding the six files or the one the archive unpacks into
/// (`cifar-10-batches-bin/`) or its parent.
public enum CIFAR10Loader {
    public static let recordBytes = 1 + 3 * 32 * 32
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    /// Records in each of the six published files.
    public static let recordsPerFile = 10_000

    /// The train and test sets in `folder`. `recordsPerFile` is the exact count each file must
    /// hold (nil: any whole number of records; tests write small files).
    ///
    /// - Throws: `DataError.missingFile`, `.unreadable`, `.recordSize` (not a whole number of
    ///   records), `.sampleCount`, `.labelRange`.
    public static func load(folder: String, recordsPerFile: Int? = recordsPerFile) throws -> (train: Dataset, test: Dataset) {
        let base = try batches(in: folder)
        var train = [Dataset]()
        for f in trainFiles { train.append(try parse(file: base + "/" + f, recordsPerFile: recordsPerFile)) }
        let test = try parse(file: base + "/" + testFile, recordsPerFile: recordsPerFile)
        var features = [Float](), labels = [Int32]()
        features.reserveCapacity(train.reduce(0) { $0 + $1.features.count })
        for t in train {
            features += t.features
            labels += t.labels
        }
        return (Dataset(features: features, labels: labels, dimension: 3072, shape: [3, 32, 32], classes: 10, name: "cifar10"), test)
    }

    /// The folder that holds `data_batch_1.bin`: `folder` or `folder/cifar-10-batches-bin`.
    static func batches(in folder: String) throws -> String {
        for candidate in [folder, folder + "/cifar-10-batches-bin"] where access(candidate + "/" + trainFiles[0], F_OK) == 0 {
            return candidate
        }
        throw DataError.missingFile(folder: folder, file: trainFiles[0],
                                    looked: [trainFiles[0], "cifar-10-batches-bin/" + trainFiles[0]])
    }

    /// One binary batch file.
    static func parse(file: String, recordsPerFile: Int?) throws -> Dataset {
        try parse(try Gzip.readFile(file), name: file, recordsPerFile: recordsPerFile)
    }

    /// The records in `bytes`; `name` is used in errors.
    static func parse(_ bytes: [UInt8], name: String, recordsPerFile: Int?) throws -> Dataset {
        guard !bytes.isEmpty, bytes.count % recordBytes == 0 else {
            throw DataError.recordSize(file: name, recordBytes: recordBytes, gotBytes: bytes.count)
        }
        let n = bytes.count / recordBytes
        if let recordsPerFile, n != recordsPerFile {
            throw DataError.sampleCount(file: name, expected: recordsPerFile, got: n)
        }
        var labels = [Int32](repeating: 0, count: n)
        let features = [Float](unsafeUninitializedCapacity: n * 3072) { out, initialized in
            bytes.withUnsafeBufferPointer { b in
                for i in 0..<n {
                    let r = i * recordBytes
                    labels[i] = Int32(b[r])
                    for j in 0..<3072 { out[i * 3072 + j] = Float(b[r + 1 + j]) }
                }
            }
            initialized = n * 3072
        }
        if let i = labels.firstIndex(where: { $0 > 9 }) {
            throw DataError.labelRange(file: name, index: i, label: Int(labels[i]), classes: 10)
        }
        return Dataset(features: features, labels: labels, dimension: 3072, shape: [3, 32, 32], classes: 10, name: "cifar10")
    }
}
