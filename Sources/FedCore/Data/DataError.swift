/// Everything that can go wrong while loading, splitting or partitioning data.
///
/// Every case renders as one line that names the file (and, where it applies, the line) and
/// says what was expected and what was found, with the numbers:
///
///     data/x.csv:17: expected 65 values, got 64
///     train-images.gz: IDX magic 0x00000803 expected, got 0x1f8b0808
///     labels file has 10000 labels but images file has 60000 images
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be opened or read (`reason` is the system's message).
    case unreadable(file: String, reason: String)
    /// A gzip or zlib stream was corrupt or truncated (`reason` is zlib's message).
    case gzip(file: String, reason: String)
    /// A file held no data rows at all.
    case empty(file: String)
    /// A CSV row had a different number of values than the first data row.
    case rowLength(file: String, line: Int, expected: Int, got: Int)
    /// A CSV field was not a number.
    case badNumber(file: String, line: Int, column: Int, text: String)
    /// A CSV label was not a non-negative integer.
    case badLabel(file: String, line: Int, text: String)
    /// A CSV row had only a label (no features).
    case noFeatures(file: String, line: Int)
    /// `label_column` names a column the header does not have (`columns`: the header's names).
    case noSuchColumn(file: String, column: String, columns: [String])
    /// `label_column` is an index past the last column.
    case columnIndex(file: String, line: Int, index: Int, columns: Int)
    /// A row's label is empty (`labels: auto`).
    case emptyLabel(file: String, line: Int)
    /// `label_column` is a name but the file has no header line.
    case noHeader(file: String, column: String)
    /// An IDX file started with the wrong magic number.
    case idxMagic(file: String, expected: UInt32, got: UInt32)
    /// An IDX file's length does not match the sizes declared in its header.
    case idxSize(file: String, expectedBytes: Int, gotBytes: Int)
    /// The images and labels files disagree on the number of samples.
    case countMismatch(labelsFile: String, labels: Int, imagesFile: String, images: Int)
    /// A partition was asked for more clients than there are samples (or no clients).
    case tooManyClients(clients: Int, samples: Int)
    /// A shard partition would create empty shards.
    case emptyShards(clients: Int, shardsPerClient: Int, samples: Int)
    /// A Dirichlet partition never gave every client `minSamples` samples.
    case dirichletGaveUp(alpha: Double, clients: Int, minSamples: Int, redraws: Int, samples: Int)
    /// A file could not be written (`reason` is the system's message).
    case cannotWrite(file: String, reason: String)
    /// A client process's shard file is damaged or not a shard file.
    case shardFile(file: String, reason: String)
    /// A CIFAR-10 binary batch's length is not a whole number of records.
    case recordSize(file: String, recordBytes: Int, gotBytes: Int)
    /// A dataset folder lacks a file it needs (`looked` lists where it looked).
    case missingFile(folder: String, file: String, looked: [String])
    /// A well-formed file whose samples have another shape than the dataset's.
    case unexpectedShape(file: String, expected: [Int], got: [Int])
    /// A label outside 0..<classes (`index` is the sample's, from 0).
    case labelRange(file: String, index: Int, label: Int, classes: Int)
    /// A file with another number of samples than its dataset publishes.
    case sampleCount(file: String, expected: Int, got: Int)
    /// A parameter was out of its valid range (`what` names it and the range).
    case invalidParameter(what: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .gzip(file, reason):
            return "\(file): gzip data is corrupt or truncated: \(reason)"
        case let .empty(file):
            return "\(file): no data rows"
        case let .rowLength(file, line, expected, got):
            return "\(file):\(line): expected \(expected) values, got \(got)"
        case let .badNumber(file, line, column, text):
            return "\(file):\(line): value \(column) is not a number: \"\(text)\""
        case let .badLabel(file, line, text):
            return "\(file):\(line): label must be a non-negative integer, got \"\(text)\" (labels: auto maps any labels to classes)"
        case let .noFeatures(file, line):
            return "\(file):\(line): a row needs at least one feature besides the label"
        case let .noSuchColumn(file, column, columns):
            let near = Suggestion.hint(for: column, among: columns)
            return "\(file):1: no column named \"\(column)\" (dataset.label_column);\(near) columns: \(columns.joined(separator: ", "))"
        case let .columnIndex(file, line, index, columns):
            return "\(file):\(line): label_column \(index) is past the last column (rows have \(columns) values, columns 0 to \(columns - 1))"
        case let .emptyLabel(file, line):
            return "\(file):\(line): the label is empty"
        case let .noHeader(file, column):
            return "\(file):1: label_column \"\(column)\" is a name, but the file has no header line; give its index (0 is the first column)"
        case let .idxMagic(file, expected, got):
            return "\(file): IDX magic \(hex(expected)) expected, got \(hex(got))"
        case let .idxSize(file, expectedBytes, gotBytes):
            return "\(file): IDX header declares \(expectedBytes) bytes, file has \(gotBytes)"
        case let .countMismatch(labelsFile, labels, imagesFile, images):
            return "labels file \(labelsFile) has \(labels) labels but images file \(imagesFile) has \(images) images"
        case let .tooManyClients(clients, samples):
            return "cannot partition \(samples) samples among \(clients) clients (need 1 <= clients <= samples)"
        case let .emptyShards(clients, perClient, samples):
            return "shards: \(clients) clients x \(perClient) shards = \(clients * perClient) shards "
                + "but only \(samples) samples; some shards would be empty"
        case let .dirichletGaveUp(alpha, clients, minSamples, redraws, samples):
            return "dirichlet(alpha = \(alpha)): after \(redraws) redraws some of the \(clients) clients "
                + "still had fewer than \(minSamples) of \(samples) samples; raise alpha or lower minSamples"
        case let .cannotWrite(file, reason):
            return "\(file): cannot write: \(reason)"
        case let .shardFile(file, reason):
            return "\(file): unreadable shard file: \(reason)"
        case let .recordSize(file, recordBytes, gotBytes):
            return "\(file): \(gotBytes) bytes is not a whole number of \(recordBytes)-byte records "
                + "(\(gotBytes / recordBytes) records and \(gotBytes % recordBytes) bytes over)"
        case let .missingFile(folder, file, looked):
            return "\(folder): no \(file) (looked for \(looked.joined(separator: ", ")))"
        case let .unexpectedShape(file, expected, got):
            return "\(file): samples of shape \(shapeText(got)), expected \(shapeText(expected))"
        case let .labelRange(file, index, label, classes):
            return "\(file): label \(label) of sample \(index) is outside 0...\(classes - 1)"
        case let .sampleCount(file, expected, got):
            return "\(file): \(got) samples, expected \(expected)"
        case let .invalidParameter(what):
            return "invalid parameter: \(what)"
        }
    }
}

private func shapeText(_ shape: [Int]) -> String {
    shape.map(String.init).joined(separator: "x")
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
