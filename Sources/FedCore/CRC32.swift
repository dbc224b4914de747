import CZlib

/// CRC-32 (IEEE 802.3, zlib's `crc32`): detects every change of up to 32 consecutive bits, so
/// any flipped bit or short burst in a checked file. Not a defence against deliberate forgery.
public enum CRC32 {
    /// The checksum of `bytes`, continuing from `start` (0 for a new checksum).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, start: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), !bytes.isEmpty else { return start }
        var crc = UInt(start)
        var offset = 0
        // zlib takes a 32-bit length: feed large buffers in 1 GiB pieces.
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, base + offset, UInt32(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
