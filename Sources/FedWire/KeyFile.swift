#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the small text files that hold CURVE keys and allowlists (POSIX only,
/// so that FedWire stays free of Foundation).
///
/// Lines: surrounding blanks are ignored, as are empty lines and comments (lines starting with
/// `#`). `#` is a Z85 character, but never the first of a key: the first character of a Z85
/// group encodes floor(v / 85^4) of a 32-bit v, at most 82, and `#` is 84.
enum KeyFile {
    /// A meaningful (non-blank, non-comment) line: its 1-based number and its trimmed text.
    struct Line: Equatable {
        let number: Int
        let text: String
    }

    /// The meaningful lines of the file at `path`.
    static func lines(path: String) throws(CurveKeyError) -> [Line] {
        let text = try read(path: path)
        var result: [Line] = []
        var number = 0
        // "\r\n" is one Character in Swift: split on it too, so Windows line ends count as one line.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let trimmed = trim(raw)
            if trimmed.isEmpty || isComment(trimmed) { continue }
            result.append(Line(number: number, text: trimmed))
        }
        return result
    }

    /// Whether a trimmed line is a comment.
    static func isComment(_ line: String) -> Bool { line.hasPrefix("#") }

    /// The whole file as UTF-8 text.
    static func read(path: String) throws(CurveKeyError) -> String {
        guard let file = fopen(path, "rb") else {
            throw .file(path: path, line: 0, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes.append(contentsOf: chunk.prefix(n)) }
            if n < chunk.count {
                if ferror(file) != 0 {
                    throw .file(path: path, line: 0, reason: "cannot read: \(String(cString: strerror(errno)))")
                }
                break
            }
            if bytes.count > 1 << 20 { throw .file(path: path, line: 0, reason: "larger than 1 MiB; not a key file") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to `path` (created or truncated) with permission bits `mode`, also applied
    /// to an existing file, so that a secret key file is never left readable by others.
    static func write(_ text: String, path: String, mode: mode_t) throws(CurveKeyError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else {
            throw .file(path: path, line: 0, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else {
            throw .file(path: path, line: 0, reason: "cannot set mode \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .file(path: path, line: 0, reason: "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    private static func trim(_ s: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = s.firstIndex(where: { !isBlank($0) }), let last = s.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(s[first...last])
    }
}

/// `write(2)`, named apart from `KeyFile.write`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
