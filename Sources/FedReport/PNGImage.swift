import FedCore
import Foundation

/// A minimal PNG encoder (ISO/IEC 15948) for the small images of the reports: 8-bit grey or
/// RGB, no interlacing, filter 0 on every row, and the zlib stream made of stored (uncompressed)
/// deflate blocks, so it needs no compressor. A 28x28 grey image is under 1 KiB.
enum PNGImage {
    /// The PNG file of a `width x height` image with `channels` (1 grey, 3 RGB) interleaved
    /// 8-bit samples per pixel, row by row.
    static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> Data {
        precondition(channels == 1 || channels == 3, "PNGImage: 1 or 3 channels, got \(channels)")
        precondition(width > 0 && height > 0 && pixels.count == width * height * channels,
                     "PNGImage: \(pixels.count) samples for \(width)x\(height)x\(channels)")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + width * channels))
        for y in 0..<height {
            raw.append(0)  // filter type 0: none
            raw += pixels[(y * width * channels)..<((y + 1) * width * channels)]
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = [UInt8]()
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, channels == 1 ? 0 : 2, 0, 0, 0]  // depth 8, grey or RGB, deflate, filter 0, no interlace
        png += chunk("IHDR", header)
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    /// A data: URI of `encode`'s file, for an `<img>`.
    static func dataURI(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> String {
        "data:image/png;base64," + encode(width: width, height: height, channels: channels, pixels: pixels).base64EncodedString()
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 section 3.2.4) and the Adler-32.
    static func zlibStored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, bytes.count - offset)
            let last: UInt8 = offset + n == bytes.count ? 1 : 0
            out.append(last)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += bytes[offset..<(offset + n)]
            offset += n
        } while offset < bytes.count
        return out + bigEndian(adler32(bytes))
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return (b << 16) | a
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> Data {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBytes { CRC32.checksum($0) }
        return Data(bigEndian(UInt32(data.count)) + typed + bigEndian(crc))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
