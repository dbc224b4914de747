/// What one `FuzzRunner.run()` did, printed as one line by `fedsim fuzz`.
public struct FuzzReport: Sendable {
    /// Messages made and handed to a socket (sent + dropped); equals `count` unless stopped early.
    public var messages = 0
    /// Messages libzmq queued.
    public var sent = 0
    /// Messages dropped because the socket's queue was full (EAGAIN on a non-blocking send).
    public var dropped = 0
    /// Messages made, per case kind.
    public var kinds: [FuzzKind: Int] = [:]
    /// Replies read (and discarded), per message kind ("shutdown", "welcome", "heartbeat",
    /// "task", or "malformed").
    public var replies: [String: Int] = [:]
    /// Client ids a WELCOME granted to one of the fuzzer's sockets (normally none: the ids
    /// belong to live processes). Non-empty means the fuzzer could speak for those clients.
    public var grantedIds: [UInt32] = []
    public var seconds = 0.0
    /// Why the run stopped before `count` messages ("time limit", "signal"), if it did.
    public var stoppedEarly: String?

    public init() {}

    /// `fuzz: messages=N sent=S dropped=D seconds=T replies=k:v,... granted=... kinds=k:v,...`
    public var summaryLine: String {
        let kindText = kinds.sorted { $0.key < $1.key }.map { "\($0.key.rawValue):\($0.value)" }.joined(separator: ",")
        let replyText = replies.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        var line = "fuzz: messages=\(messages) sent=\(sent) dropped=\(dropped) seconds=\(String(format: "%.2f", seconds))"
        line += " replies=\(replyText.isEmpty ? "none" : replyText)"
        if !grantedIds.isEmpty { line += " granted=\(grantedIds.map(String.init).joined(separator: ","))" }
        if let stoppedEarly { line += " stopped=\"\(stoppedEarly)\"" }
        return line + " kinds=\(kindText)"
    }
}
