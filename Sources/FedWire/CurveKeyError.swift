/// Why a CURVE key, its Z85 text or a key file was refused.
///
/// Rendered as one line; errors about a file name the file and line:
/// `keys/client-3.key:1: expected a 40-character Z85 key, got 12 characters`.
public enum CurveKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A raw key was not 32 bytes.
    case wrongKeyLength(got: Int)
    /// Bytes to Z85-encode whose count is not a multiple of 4.
    case wrongDataLength(got: Int)
    /// Z85 text whose length is wrong: `expected` says what was wanted (e.g. "a 40-character Z85 key").
    case wrongTextLength(expected: String, got: Int)
    /// A character outside the Z85 alphabet, at a 1-based column of the text.
    case badCharacter(Character, column: Int)
    /// This libzmq was built without CURVE (`zmq_has("curve") == 0`).
    case curveUnavailable
    /// A libzmq call failed.
    case zmq(ZMQError)
    /// A malformed value other than a key (e.g. a client id list), or a conflicting allowlist.
    case invalid(String)
    /// A key file could not be read or written (`line` 0 = the file as a whole).
    case file(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .wrongKeyLength(let got):
            "expected a 32-byte CURVE key, got \(got) bytes"
        case .wrongDataLength(let got):
            "Z85 encodes a multiple of 4 bytes, got \(got) bytes"
        case .wrongTextLength(let expected, let got):
            "expected \(expected), got \(got) character\(got == 1 ? "" : "s")"
        case .badCharacter(let c, let column):
            "character \(String(reflecting: String(c))) at column \(column) is not in the Z85 alphabet"
        case .curveUnavailable:
            "this libzmq has no CURVE support (zmq_has(\"curve\") is 0); install libzmq built with libsodium"
        case .zmq(let error):
            error.description
        case .invalid(let reason):
            reason
        case .file(let path, let line, let reason):
            line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        }
    }

    /// This error placed at `path:line` (an error already about a file is returned unchanged).
    func at(path: String, line: Int) -> CurveKeyError {
        if case .file = self { return self }
        return .file(path: path, line: line, reason: description)
    }
}
