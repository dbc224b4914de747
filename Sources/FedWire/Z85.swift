import CZeroMQ

/// Z85 (ZeroMQ RFC 32): 4 bytes become 5 printable characters from an 85-character alphabet.
/// CURVE keys (32 bytes) are written as 40 characters.
///
/// Encoding and decoding go through libzmq (`zmq_z85_encode` / `zmq_z85_decode`); lengths and
/// characters are checked here first so that errors say what was wrong and where.
public enum Z85 {
    /// The 85 characters, in value order (RFC 32).
    public static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    private static let alphabetSet = Set(alphabet)

    /// Encodes `bytes` (a multiple of 4 bytes; empty gives "").
    public static func encode(_ bytes: [UInt8]) throws(CurveKeyError) -> String {
        guard bytes.count % 4 == 0 else { throw .wrongDataLength(got: bytes.count) }
        if bytes.isEmpty { return "" }
        var out = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let ok = bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                zmq_z85_encode(dst.baseAddress, src.baseAddress, src.count) != nil
            }
        }
        guard ok else { throw .zmq(ZMQError(call: "zmq_z85_encode", errno: zmq_errno())) }
        return String(decoding: out.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 `text` (a multiple of 5 characters, all from `alphabet`).
    ///
    /// - Parameter expected: how to describe the wanted text in a length error.
    public static func decode(_ text: String, expected: String = "Z85 text with a multiple of 5 characters") throws(CurveKeyError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var column = 0
        for c in text {  // columns count characters, not bytes
            column += 1
            guard c.utf8.count == 1, let b = c.utf8.first, alphabetSet.contains(b) else {
                throw .badCharacter(c, column: column)
            }
        }
        guard utf8.count % 5 == 0 else { throw .wrongTextLength(expected: expected, got: text.count) }
        if utf8.isEmpty { return [] }
        var out = [UInt8](repeating: 0, count: utf8.count / 5 * 4)
        let cString = utf8.map { CChar(bitPattern: $0) } + [0]
        let ok = cString.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                zmq_z85_decode(dst.baseAddress, src.baseAddress) != nil
            }
        }
        guard ok else { throw .zmq(ZMQError(call: "zmq_z85_decode", errno: zmq_errno())) }
        return out
    }

    /// Decodes a 40-character Z85 CURVE key into its 32 bytes.
    public static func decodeKey(_ text: String) throws(CurveKeyError) -> [UInt8] {
        guard text.count == CurveKeyPair.z85KeyLength else {
            // Report a bad character first only when the length is right; a wrong length is the
            // likelier mistake (a truncated copy, a pasted secret file...).
            throw .wrongTextLength(expected: "a \(CurveKeyPair.z85KeyLength)-character Z85 key", got: text.count)
        }
        return try decode(text)
    }
}
