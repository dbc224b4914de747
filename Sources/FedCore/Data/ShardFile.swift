#if canImport(Glibc)
import Glibc
#endif

/// The local datasets of the logical clients one client process hosts, prepared once by the
/// launcher and handed to the process as a file, so that a client process never loads,
/// normalises or partitions the whole training set (docs/SCENARIOS.md, "Data handed to client
/// processes").
///
/// File layout (every integer little-endian, every float IEEE 754 binary32 little-endian):
///
///     "FSIMSHRD"                         8 bytes magic
///     version                            u32 (2)
///     scenario                           u64, the fingerprint of the scenario it was made for
///     classes, modelClasses              u32, u32: the training set's classes, the model's outputs
///     maxFeature                         f32, the training set's largest feature value
///     rank, shape[rank]                  u32, rank x u32: one sample's shape ([C, H, W] or [d])
///     name length, name                  u32, UTF-8 bytes
///     clients                            u32
///     clients x (id u32, count u64)      which logical client, how many samples
///     per client, in that order:         count x d f32 features (row-major), count x i32 labels
///     input domain                       d f32 lower bounds, d f32 upper bounds (version 2)
///     CRC-32                             u32 of every byte before it (`CRC32`)
///
/// Reading trusts nothing before the checksum holds and bounds every count before it is used:
/// the file's length must be exactly what the header declares, every label must be in
/// 0..<classes and every feature finite.
public struct ShardFile: Sendable, Equatable {
    public static let magic = Array("FSIMSHRD".utf8)
    public static let version: UInt32 = 2

    /// The fingerprint of the scenario the shards were prepared for.
    public var scenario: UInt64
    /// The training set's class count (what data attacks see).
    public var classes: Int
    /// The model's output count: the larger of the training and test sets' class counts.
    public var modelClasses: Int
    /// The largest feature value of the whole (normalised) training set.
    public var maxFeature: Float
    /// One sample's shape (product: the feature dimension).
    public var shape: [Int]
    /// The training set's name.
    public var name: String
    /// Logical client ids, ascending, and each one's local dataset (same order).
    public var ids: [Int]
    public var datasets: [Dataset]
    /// The valid range of each (normalised) feature, `[lower[j], upper[j]]`: what adversarial
    /// training clamps to (FedEval's `InputDomain`), computed from the whole training set.
    public var domainLower: [Float]
    public var domainUpper: [Float]

    /// Without a domain, every feature's range is the single point 0.
    public init(scenario: UInt64, classes: Int, modelClasses: Int, maxFeature: Float, shape: [Int], name: String,
                ids: [Int], datasets: [Dataset], domainLower: [Float]? = nil, domainUpper: [Float]? = nil) {
        precondition(ids.count == datasets.count, "ShardFile: \(ids.count) ids for \(datasets.count) datasets")
        let d = shape.reduce(1, *)
        self.domainLower = domainLower ?? [Float](repeating: 0, count: d)
        self.domainUpper = domainUpper ?? [Float](repeating: 0, count: d)
        precondition(self.domainLower.count == d && self.domainUpper.count == d,
                     "ShardFile: an input domain of \(self.domainLower.count) and \(self.domainUpper.count) bounds for \(d) features")
        self.scenario = scenario
        self.classes = classes
        self.modelClasses = modelClasses
        self.maxFeature = maxFeature
        self.shape = shape
        self.name = name
        self.ids = ids
        self.datasets = datasets
    }

    /// The dimension of one sample.
    public var dimension: Int { shape.reduce(1, *) }

    // MARK: - Encoding

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        let d = dimension
        let samples = datasets.reduce(0) { $0 + $1.count }
        var out = [UInt8]()
        out.reserveCapacity(64 + name.utf8.count + 12 * ids.count + samples * (d + 1) * 4 + 4)
        out += Self.magic
        append(&out, Self.version)
        append(&out, scenario)
        append(&out, UInt32(classes))
        append(&out, UInt32(modelClasses))
        append(&out, maxFeature.bitPattern)
        append(&out, UInt32(shape.count))
        for s in shape { append(&out, UInt32(s)) }
        append(&out, UInt32(name.utf8.count))
        out += Array(name.utf8)
        append(&out, UInt32(ids.count))
        for (id, data) in zip(ids, datasets) {
            append(&out, UInt32(id))
            append(&out, UInt64(data.count))
        }
        for data in datasets {
            precondition(data.dimension == d, "ShardFile: a dataset of dimension \(data.dimension) in shards of \(d)")
            appendWords(&out, data.features) { $0.bitPattern }
            appendWords(&out, data.labels) { UInt32(bitPattern: $0) }
        }
        appendWords(&out, domainLower) { $0.bitPattern }
        appendWords(&out, domainUpper) { $0.bitPattern }
        let crc = out.withUnsafeBytes { CRC32.checksum($0) }
        append(&out, crc)
        return out
    }

    /// Writes the file to `path` through a temporary file beside it and a rename, so that a
    /// reader never sees half a file.
    ///
    /// - Throws: `DataError.cannotWrite` with the system's reason.
    public func write(to path: String) throws {
        let bytes = encoded()
        let tmp = path + ".tmp"
        guard let file = fopen(tmp, "wb") else {
            throw DataError.cannotWrite(file: tmp, reason: systemErrorText(errno))
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let failed = written != bytes.count || fflush(file) != 0
        let reason = systemErrorText(errno)
        fclose(file)
        guard !failed else {
            unlink(tmp)
            throw DataError.cannotWrite(file: tmp, reason: reason)
        }
        guard rename(tmp, path) == 0 else {
            let why = systemErrorText(errno)
            unlink(tmp)
            throw DataError.cannotWrite(file: path, reason: why)
        }
    }

    // MARK: - Decoding

    /// Reads and checks the shard file at `path`.
    ///
    /// - Throws: `DataError.unreadable` if it cannot be read, `DataError.shardFile` naming what
    ///   is wrong with its contents.
    public static func read(_ path: String) throws -> ShardFile {
        try decode(try Gzip.readFile(path), file: path)
    }

    /// The shard file in `bytes`; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> ShardFile {
        func fail(_ why: String) -> DataError { .shardFile(file: file, reason: why) }
        let smallest = magic.count + 4 + 4
        guard bytes.count >= smallest else {
            throw fail("\(bytes.count) bytes, shorter than the \(smallest) of any shard file")
        }
        guard Array(bytes[0..<magic.count]) == magic else { throw fail("not a fedsim shard file (no FSIMSHRD header)") }
        var reader = ByteReader(bytes: bytes, end: bytes.count - 4)
        var trailer = ByteReader(bytes: bytes, at: bytes.count - 4)
        let stored = trailer.u32() ?? 0
        let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 4)])) }
        guard stored == computed else {
            throw fail("checksum mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is damaged")
        }
        reader.skip(magic.count)
        guard let version = reader.u32(), version == Self.version else {
            var v = ByteReader(bytes: bytes, at: magic.count)
            throw fail("version \(v.u32().map(String.init) ?? "?"); this fedsim reads \(Self.version)")
        }
        guard let scenario = reader.u64(), let classes = reader.u32(), let modelClasses = reader.u32(),
              let maxBits = reader.u32(), let rank = reader.u32() else { throw fail("the header is cut short") }
        guard classes >= 1, modelClasses >= classes else {
            throw fail("\(classes) classes and \(modelClasses) model outputs; need 1 <= classes <= model outputs")
        }
        guard (1...4).contains(rank) else { throw fail("sample shape of rank \(rank); allowed 1...4") }
        var shape = [Int]()
        var dimension = 1
        for _ in 0..<rank {
            guard let s = reader.u32() else { throw fail("the header is cut short") }
            guard s >= 1 else { throw fail("sample shape has a dimension of 0") }
            let (p, o) = dimension.multipliedReportingOverflow(by: Int(s))
            guard !o, p <= 1 << 31 else { throw fail("sample shape \(shape + [Int(s)]) is too large") }
            shape.append(Int(s))
            dimension = p
        }
        guard let nameLength = reader.u32(), let nameBytes = reader.take(Int(nameLength)) else {
            throw fail("the header is cut short")
        }
        guard let count = reader.u32() else { throw fail("the header is cut short") }
        // Each client takes 12 header bytes: refuse a count the file cannot hold before allocating.
        guard Int(count) <= reader.remaining / 12 else {
            throw fail("declares \(count) clients; the file holds at most \(reader.remaining / 12)")
        }
        var ids = [Int](), counts = [Int]()
        var total = 0
        for _ in 0..<count {
            guard let id = reader.u32(), let n = reader.u64() else { throw fail("the header is cut short") }
            if let previous = ids.last, Int(id) <= previous {
                throw fail("client ids are not ascending (\(id) after \(previous))")
            }
            guard n <= UInt64(reader.remaining) else { throw fail("client \(id) declares \(n) samples; the file is smaller") }
            ids.append(Int(id))
            counts.append(Int(n))
            total += Int(n)
        }
        let (perSample, o1) = (dimension + 1).multipliedReportingOverflow(by: 4)
        let (samples, o2) = total.multipliedReportingOverflow(by: perSample)
        let (body, o3) = samples.addingReportingOverflow(8 * dimension)   // the domain's two bounds per feature
        guard !o1, !o2, !o3, body == reader.remaining else {
            throw fail("the header declares \(total) samples of \(dimension) features and their domain "
                       + "(\(o1 || o2 || o3 ? "too many" : String(body)) bytes), the file has \(reader.remaining) bytes after the header")
        }
        var datasets = [Dataset]()
        let name = String(decoding: nameBytes, as: UTF8.self)
        for (id, n) in zip(ids, counts) {
            guard let f = reader.floats(n * dimension), let l = reader.int32s(n) else { throw fail("the data is cut short") }
            if let i = f.firstIndex(where: { !$0.isFinite }) {
                throw fail("client \(id): feature \(i % dimension) of sample \(i / dimension) is \(f[i])")
            }
            if let i = l.firstIndex(where: { $0 < 0 || Int($0) >= Int(classes) }) {
                throw fail("client \(id): label \(l[i]) of sample \(i) is outside 0..<\(classes)")
            }
            datasets.append(Dataset(features: f, labels: l, dimension: dimension, shape: shape,
                                    classes: Int(classes), name: name))
        }
        guard let lower = reader.floats(dimension), let upper = reader.floats(dimension) else { throw fail("the domain is cut short") }
        if let j = (0..<dimension).first(where: { !(lower[$0] <= upper[$0]) || !lower[$0].isFinite || !upper[$0].isFinite }) {
            throw fail("feature \(j)'s domain [\(lower[j]), \(upper[j])] is not a finite range")
        }
        return ShardFile(scenario: scenario, classes: Int(classes), modelClasses: Int(modelClasses),
                         maxFeature: Float(bitPattern: maxBits), shape: shape, name: name, ids: ids, datasets: datasets,
                         domainLower: lower, domainUpper: upper)
    }
}

// MARK: - Little-endian bytes

private func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}

/// Appends `values` as little-endian 32-bit words.
private func appendWords<T>(_ out: inout [UInt8], _ values: [T], _ word: (T) -> UInt32) {
    #if _endian(little)
    values.withUnsafeBytes { out.append(contentsOf: $0) }
    #else
    for v in values { append(&out, word(v)) }
    #endif
}

/// Reads little-endian values from `bytes[at..<end]`; nil once a read would pass `end`.
private struct ByteReader {
    let bytes: [UInt8]
    var at: Int = 0
    let end: Int

    init(bytes: [UInt8], at: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.at = at
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - at }

    mutating func skip(_ n: Int) { at += n }

    mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, n <= remaining else { return nil }
        defer { at += n }
        return bytes[at..<(at + n)]
    }

    mutating func u32() -> UInt32? {
        take(4).map { b in b.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    }

    mutating func u64() -> UInt64? {
        take(8).map { b in b.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    }

    mutating func floats(_ n: Int) -> [Float]? {
        words(n) { Float(bitPattern: $0) }
    }

    mutating func int32s(_ n: Int) -> [Int32]? {
        words(n) { Int32(bitPattern: $0) }
    }

    private mutating func words<T>(_ n: Int, _ make: (UInt32) -> T) -> [T]? {
        guard let slice = take(n * 4) else { return nil }
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            slice.withUnsafeBytes { raw in
                for i in 0..<n { buffer[i] = make(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            }
            initialized = n
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
