/// Loads MNIST-style IDX files (LeCun, Cortes & Burges, "The MNIST database of handwritten
/// digits"; Fashion-MNIST uses the same format), gzipped or not.
///
/// Format (all integers big-endian):
/// - images: magic `0x00000803` (unsigned bytes, 3 dimensions), count, rows, cols, then
///   `count * rows * cols` pixel bytes, row-major;
/// - labels: magic `0x00000801` (unsigned bytes, 1 dimension), count, then `count` label bytes.
///
/// The file length must equal the header's declared size exactly, and both files must hold
/// the same number of samples. Each sample keeps its shape `[1, rows, cols]`. Features are the raw pixels 0...255 as Float (normalise later);
/// `classes` is 10, or `max label + 1` if a label is 10 or more.
public enum IDXLoader {
    /// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads an images file and a labels file (each gzipped or not) into one dataset named
    /// after the images file.
    public static func load(images: String, labels: String) throws -> Dataset {
        let imageBytes = try Gzip.readMaybeCompressed(images)
        let labelBytes = try Gzip.readMaybeCompressed(labels)
        let img = try parseImages(imageBytes, name: images)
        let lab = try parseLabels(labelBytes, name: labels)
        guard img.count == lab.count else {
            throw DataError.countMismatch(labelsFile: labels, labels: lab.count, imagesFile: images, images: img.count)
        }
        let dimension = img.rows * img.cols
        let features = img.pixels.map { Float($0) }
        let labelValues = lab.labels.map { Int32($0) }
        let maxLabel = Int(lab.labels.max() ?? 0)
        return Dataset(features: features, labels: labelValues, dimension: dimension, shape: [1, img.rows, img.cols],
                       classes: max(10, maxLabel + 1), name: "idx:\(images)")
    }

    /// Parses the bytes of an (already decompressed) IDX images file. `name` is used in errors.
    static func parseImages(_ bytes: [UInt8], name: String) throws -> (count: Int, rows: Int, cols: Int, pixels: [UInt8]) {
        try checkMagic(bytes, expected: imagesMagic, name: name)
        guard bytes.count >= 16 else {
            throw DataError.idxSize(file: name, expectedBytes: 16, gotBytes: bytes.count)
        }
        let count = Int(readBE32(bytes, 4))
        let rows = Int(readBE32(bytes, 8))
        let cols = Int(readBE32(bytes, 12))
        let (perImage, o0) = rows.multipliedReportingOverflow(by: cols)
        let (pixelCount, o1) = count.multipliedReportingOverflow(by: perImage)
        let (expected, o2) = pixelCount.addingReportingOverflow(16)
        guard !o0, !o1, !o2, bytes.count == expected else {
            throw DataError.idxSize(file: name, expectedBytes: (o0 || o1 || o2) ? Int.max : expected,
                                    gotBytes: bytes.count)
        }
        return (count, rows, cols, Array(bytes[16...]))
    }

    /// Parses the bytes of an (already decompressed) IDX labels file. `name` is used in errors.
    static func parseLabels(_ bytes: [UInt8], name: String) throws -> (count: Int, labels: [UInt8]) {
        try checkMagic(bytes, expected: labelsMagic, name: name)
        guard bytes.count >= 8 else {
            throw DataError.idxSize(file: name, expectedBytes: 8, gotBytes: bytes.count)
        }
        let count = Int(readBE32(bytes, 4))
        guard bytes.count == 8 + count else {
            throw DataError.idxSize(file: name, expectedBytes: 8 + count, gotBytes: bytes.count)
        }
        return (count, Array(bytes[8...]))
    }

    // MARK: - Helpers

    private static func checkMagic(_ bytes: [UInt8], expected: UInt32, name: String) throws {
        guard bytes.count >= 4 else {
            throw DataError.idxSize(file: name, expectedBytes: expected == imagesMagic ? 16 : 8, gotBytes: bytes.count)
        }
        let magic = readBE32(bytes, 0)
        guard magic == expected else { throw DataError.idxMagic(file: name, expected: expected, got: magic) }
    }

    private static func readBE32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
