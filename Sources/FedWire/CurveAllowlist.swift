/// The client keys a CURVE coordinator accepts, each bound to the logical client ids that
/// key may speak for. File form (`keys/allowed_clients.txt`, written by `fedsim keygen`):
///
/// ```
/// # <Z85 public key> <client ids>
/// rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 0-4,7
/// ```
///
/// Client ids are u32 ids and ranges separated by commas (`0-4,7`). A key appears at most once
/// and a client id is bound to at most one key, so a client cannot speak as another.
public struct CurveAllowlist: Equatable, Sendable {
    /// One allowed key and the ids it may speak for.
    public struct Entry: Equatable, Sendable {
        /// The client's 32-byte public key.
        public let publicKey: [UInt8]
        /// The logical client ids bound to this key, ascending.
        public let clientIds: [UInt32]

        public init(publicKey: [UInt8], clientIds: [UInt32]) throws(CurveKeyError) {
            try CurveKeyPair.checkKey(publicKey)
            self.publicKey = publicKey
            self.clientIds = clientIds.sorted()
        }

        /// The key in Z85: the User-Id the ZAP handler gives this client's messages.
        public var publicKeyZ85: String { CurveKeyPair.z85(publicKey) }
    }

    /// The entries, in file order.
    public let entries: [Entry]
    private let idsByUserId: [String: [UInt32]]

    /// An allowlist of `entries`.
    ///
    /// - Throws: `CurveKeyError` when a key is listed twice or an id is bound to two keys.
    public init(_ entries: [Entry]) throws(CurveKeyError) {
        try self.init(entries, lines: nil, path: nil)
    }

    private init(_ entries: [Entry], lines: [Int]?, path: String?) throws(CurveKeyError) {
        var byUser: [String: [UInt32]] = [:]
        var keyLine: [String: Int] = [:]
        var owner: [UInt32: Int] = [:]
        func fail(_ index: Int, _ reason: String) -> CurveKeyError {
            guard let path, let lines else { return .invalid("allowlist entry \(index + 1): \(reason)") }
            return .file(path: path, line: lines[index], reason: reason)
        }
        func place(_ index: Int) -> String { lines.map { "line \($0[index])" } ?? "entry \(index + 1)" }
        for (index, entry) in entries.enumerated() {
            let z85 = entry.publicKeyZ85
            if let previous = keyLine[z85] {
                throw fail(index, "key \(z85) is already listed on \(place(previous))")
            }
            keyLine[z85] = index
            for id in entry.clientIds {
                if let previous = owner[id] {
                    throw fail(index, "client id \(id) is already bound to the key on \(place(previous))")
                }
                owner[id] = index
            }
            byUser[z85] = entry.clientIds
        }
        self.entries = entries
        idsByUserId = byUser
    }

    /// The allowed 32-byte public keys.
    public var publicKeys: Set<[UInt8]> { Set(entries.map(\.publicKey)) }

    /// The client ids bound to the key whose Z85 form is `userId` (a message's User-Id), or
    /// nil when that key is not listed.
    public func clientIds(forUserId userId: String) -> [UInt32]? { idsByUserId[userId] }

    /// The file form: a comment line, then `<Z85 public key> <client ids>` per entry.
    public var fileText: String {
        var text = "# fedsim CURVE client allowlist: <Z85 public key> <client ids, e.g. 0-4,7>\n"
        for entry in entries {
            text += "\(entry.publicKeyZ85) \(Self.format(entry.clientIds))\n"
        }
        return text
    }

    // MARK: - Files

    /// Reads an allowlist file. Every error names the file and line.
    public static func load(file path: String) throws(CurveKeyError) -> CurveAllowlist {
        var entries: [Entry] = []
        var lineNumbers: [Int] = []
        for line in try KeyFile.lines(path: path) {
            let fields = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2 else {
                throw .file(path: path, line: line.number,
                            reason: "expected \"<Z85 public key> <client ids>\", e.g. \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 0-4,7\"; got \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            do throws(CurveKeyError) {
                let key = try Z85.decodeKey(String(fields[0]))
                let ids = try parseIds(String(fields[1]))
                entries.append(try Entry(publicKey: key, clientIds: ids))
                lineNumbers.append(line.number)
            } catch {
                throw error.at(path: path, line: line.number)
            }
        }
        guard !entries.isEmpty else {
            throw .file(path: path, line: 0, reason: "no client keys listed")
        }
        return try CurveAllowlist(entries, lines: lineNumbers, path: path)
    }

    /// Writes the file form to `path` (mode 0644).
    public func write(file path: String) throws(CurveKeyError) {
        try KeyFile.write(fileText, path: path, mode: 0o644)
    }

    // MARK: - Client id lists

    /// Parses `0-4,7` into ascending ids (no duplicates, non-empty).
    static func parseIds(_ text: String) throws(CurveKeyError) -> [UInt32] {
        var ids: [UInt32] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 1, let v = UInt32(bounds[0]) {
                ids.append(v)
            } else if bounds.count == 2, let a = UInt32(bounds[0]), let b = UInt32(bounds[1]), a <= b, b - a < 1 << 20 {
                ids.append(contentsOf: a...b)
            } else {
                throw .invalid("cannot read client ids \"\(text)\"; write ids and ranges such as 0-4,7")
            }
        }
        guard Set(ids).count == ids.count else {
            throw .invalid("client ids \"\(text)\" list an id twice")
        }
        return ids.sorted()
    }

    /// Compact text for ascending ids (`0-4,7`).
    static func format(_ ids: [UInt32]) -> String {
        var parts: [String] = []
        var i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count && ids[j + 1] == ids[j] + 1 { j += 1 }
            parts.append(i == j ? "\(ids[i])" : "\(ids[i])-\(ids[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}
