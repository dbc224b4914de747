import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// gzip / zlib decompression through zlib's `inflate` (RFC 1950 / RFC 1952), and reading files
/// that may or may not be compressed.
///
/// `inflateInit2` is a C macro that Swift cannot call, so this calls the function behind it,
/// `inflateInit2_(&stream, windowBits, ZLIB_VERSION, sizeof(z_stream))`, with
/// `windowBits = 15 + 32 = 47`: a 32 KiB window and automatic detection of a gzip or zlib header.
/// Concatenated gzip members (as `cat a.gz b.gz` produces) are decoded one after another.
public enum Gzip {
    /// True if `bytes` starts with the gzip magic `1f 8b` (RFC 1952, section 2.3.1).
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates a gzip or zlib stream. `name` is used in error messages.
    ///
    /// - Throws: `DataError.gzip` if the data is corrupt or ends before the end of the stream.
    public static func decompress(_ bytes: [UInt8], name: String = "<gzip data>") throws -> [UInt8] {
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, 47, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw DataError.gzip(file: name, reason: "inflateInit2 failed with status \(initStatus)")
        }
        defer { inflateEnd(&stream) }

        // Start with a guess of 4x the input and grow geometrically.
        var out = [UInt8](repeating: 0, count: max(4096, bytes.count * 4))
        var produced = 0
        var consumed = 0
        var finished = false

        try bytes.withUnsafeBufferPointer { input in
            guard let inBase = input.baseAddress, input.count > 0 else {
                throw DataError.gzip(file: name, reason: "no data")
            }
            while true {
                if produced == out.count {
                    out.append(contentsOf: repeatElement(0, count: out.count))
                }
                let status: Int32 = out.withUnsafeMutableBufferPointer { outBuf in
                    // zlib takes a non-const pointer but never writes through next_in.
                    stream.next_in = UnsafeMutablePointer(mutating: inBase + consumed)
                    stream.avail_in = UInt32(clamping: input.count - consumed)
                    stream.next_out = outBuf.baseAddress.map { $0 + produced }
                    stream.avail_out = UInt32(clamping: outBuf.count - produced)
                    let availIn = stream.avail_in
                    let availOut = stream.avail_out
                    let s = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(availIn - stream.avail_in)
                    produced += Int(availOut - stream.avail_out)
                    return s
                }
                switch status {
                case Z_STREAM_END:
                    // Skip trailing zero padding; decode another member if one follows.
                    var rest = consumed
                    while rest < input.count && input[rest] == 0 { rest += 1 }
                    if rest < input.count - 1 && input[rest] == 0x1f && input[rest + 1] == 0x8b {
                        consumed = rest
                        inflateReset(&stream)
                        continue
                    }
                    finished = true
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: either the output is full (grow and retry) or the
                    // input ended before the end of the stream.
                    if produced < out.count {
                        throw DataError.gzip(file: name, reason: "unexpected end of data after \(consumed) bytes")
                    }
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw DataError.gzip(file: name, reason: message)
                }
                if finished { break }
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    // MARK: - Files

    /// The raw bytes of the file at `path`.
    ///
    /// - Throws: `DataError.unreadable` with the system's reason (for example "No such file or
    ///   directory").
    public static func readFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw DataError.unreadable(file: path, reason: systemErrorText(errno))
        }
        defer { fclose(file) }
        var result = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { result.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(file) != 0 {
                    throw DataError.unreadable(file: path, reason: systemErrorText(errno))
                }
                break
            }
        }
        return result
    }

    /// The contents of the file at `path`, inflated if it starts with the gzip magic.
    public static func readMaybeCompressed(_ path: String) throws -> [UInt8] {
        let raw = try readFile(path)
        return isGzip(raw) ? try decompress(raw, name: path) : raw
    }
}
