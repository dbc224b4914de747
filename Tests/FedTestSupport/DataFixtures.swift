import CZlib
import Foundation
import XCTest

// Small data files the tests write themselves: gzip, IDX (MNIST) and CIFAR-10 binary records.

/// `input` gzipped with zlib's deflate (windowBits 15 + 16 = 31 writes a gzip header).
public func gzip(_ input: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    XCTAssertEqual(deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
                                 ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)), Z_OK)
    defer { deflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    var source = input
    let status = source.withUnsafeMutableBufferPointer { inBuf in
        out.withUnsafeMutableBufferPointer { outBuf -> Int32 in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    XCTAssertEqual(status, Z_STREAM_END)
    return Array(out[0..<Int(stream.total_out)])
}

/// `v` as 4 big-endian bytes (IDX headers).
public func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
}

/// An IDX images file: header, then pixel k of the whole file = `pixel(k)` (default k mod 256).
public func idxImages(count: Int, rows: Int, cols: Int, magic: UInt32 = 0x0803,
                      pixel: (Int) -> UInt8 = { UInt8($0 % 256) }) -> [UInt8] {
    var b = be32(magic) + be32(UInt32(count)) + be32(UInt32(rows)) + be32(UInt32(cols))
    for i in 0..<(count * rows * cols) { b.append(pixel(i)) }
    return b
}

/// An IDX labels file.
public func idxLabels(_ labels: [UInt8], magic: UInt32 = 0x0801) -> [UInt8] {
    be32(magic) + be32(UInt32(labels.count)) + labels
}

/// CIFAR-10 binary records: per label, 1 label byte then 3 x 1024 pixel bytes, where the
/// pixel at (channel c, row y, column x) of record r is `pixel(r, c, y, x)`.
public func cifarRecords(_ labels: [UInt8], pixel: (Int, Int, Int, Int) -> UInt8) -> [UInt8] {
    var b = [UInt8]()
    for (r, label) in labels.enumerated() {
        b.append(label)
        for c in 0..<3 { for y in 0..<32 { for x in 0..<32 { b.append(pixel(r, c, y, x)) } } }
    }
    return b
}

/// Writes `bytes` to `path`.
public func writeFile(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
