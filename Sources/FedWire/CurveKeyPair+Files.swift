#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Key files (what `fedsim keygen` writes).
///
/// - A public key file holds one line: the 40-character Z85 public key.
/// - A secret key file holds the Z85 secret key on its first line and, optionally, the Z85
///   public key on the next (checked against the one derived from the secret).
///
/// Both may hold blank lines and `#` comments (see `KeyFile` for the one exception). Every
/// error names the file and the line.
extension CurveKeyPair {
    /// Loads a key pair from a secret key file.
    public static func load(secretFile path: String) throws(CurveKeyError) -> CurveKeyPair {
        let lines = try KeyFile.lines(path: path)
        guard let first = lines.first else {
            throw .file(path: path, line: 0, reason: "no key found; a secret key file holds a 40-character Z85 secret key")
        }
        guard lines.count <= 2 else {
            throw .file(path: path, line: lines[2].number,
                        reason: "unexpected third key line; a secret key file holds the secret key and, optionally, the public key")
        }
        let pair: CurveKeyPair
        do throws(CurveKeyError) {
            pair = try CurveKeyPair(secretKeyZ85: first.text)
        } catch {
            throw error.at(path: path, line: first.number)
        }
        if lines.count == 2 {
            let listed: [UInt8]
            do throws(CurveKeyError) { listed = try Z85.decodeKey(lines[1].text) } catch { throw error.at(path: path, line: lines[1].number) }
            guard listed == pair.publicKey else {
                throw .file(path: path, line: lines[1].number,
                            reason: "this public key does not belong to the secret key on line \(first.number)")
            }
        }
        return pair
    }

    /// Loads a 32-byte public key from a public key file.
    public static func loadPublic(file path: String) throws(CurveKeyError) -> [UInt8] {
        let lines = try KeyFile.lines(path: path)
        guard let first = lines.first else {
            throw .file(path: path, line: 0, reason: "no key found; a public key file holds one 40-character Z85 public key")
        }
        guard lines.count == 1 else {
            throw .file(path: path, line: lines[1].number,
                        reason: "a public key file holds one key line, found \(lines.count) (is this a secret key file?)")
        }
        do throws(CurveKeyError) {
            return try Z85.decodeKey(first.text)
        } catch {
            throw error.at(path: path, line: first.number)
        }
    }

    /// Writes the secret key file (mode 0600: secret and public key) and the public key file
    /// (mode 0644). Existing files are overwritten.
    ///
    /// - Parameter comment: a line for the top of both files (e.g. whose key this is).
    public func write(secretFile: String, publicFile: String, comment: String? = nil) throws(CurveKeyError) {
        let header = comment.map { "# \($0)\n" } ?? ""
        let secretText = header
            + "# fedsim CURVE secret key: keep it private (mode 0600). Line 1: secret key, line 2: public key (Z85).\n"
            + secretKeyZ85 + "\n" + publicKeyZ85 + "\n"
        let publicText = header + "# fedsim CURVE public key (Z85).\n" + publicKeyZ85 + "\n"
        try KeyFile.write(secretText, path: secretFile, mode: 0o600)
        try KeyFile.write(publicText, path: publicFile, mode: 0o644)
    }
}
