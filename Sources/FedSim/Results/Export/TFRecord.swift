import FedCore

/// TFRecord framing, as TensorFlow's and TensorBoard's readers expect it: each record is
///
///     uint64 length (little-endian)
///     uint32 masked CRC-32C of those 8 length bytes
///     length bytes of data
///     uint32 masked CRC-32C of the data
public enum TFRecord {
    /// One framed record around `data`.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        out += length
        out += littleEndian(CRC32C.masked(CRC32C.checksum(length)))
        out += data
        out += littleEndian(CRC32C.masked(CRC32C.checksum(data)))
        return out
    }

    /// The records of a framed file, checking both checksums of each; nil when the bytes are
    /// not whole, well-formed records.
    public static func records(_ bytes: [UInt8]) -> [[UInt8]]? {
        var records: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 12 else { return nil }
            let lengthBytes = Array(bytes[i..<i + 8])
            let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            guard readUInt32(bytes, i + 8) == CRC32C.masked(CRC32C.checksum(lengthBytes)),
                  length <= UInt64(bytes.count - i - 16) else { return nil }
            let start = i + 12, end = start + Int(length)
            let data = Array(bytes[start..<end])
            guard readUInt32(bytes, end) == CRC32C.masked(CRC32C.checksum(data)) else { return nil }
            records.append(data)
            i = end + 4
        }
        return records
    }

    private static func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }

    private static func readUInt32(_ b: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) }
    }
}
