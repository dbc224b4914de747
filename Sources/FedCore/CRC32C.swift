/// CRC-32C (Castagnoli): the checksum of TFRecord framing (TensorBoard's event files).
///
/// Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF; the check value of
/// the ASCII bytes "123456789" is 0xE3069283 (RFC 3720, appendix B.4). Table-driven, one byte
/// at a time: event files are small.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked form, `((crc >> 15) | (crc << 17)) + 0xa282ead8` (mod 2^32): a
    /// checksum of data that itself holds checksums stays informative.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
