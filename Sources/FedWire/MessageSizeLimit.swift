/// The `ZMQ_MAXMSGSIZE` of every fedsim socket, computed here and nowhere else.
///
/// libzmq checks the limit on tcp:// and ipc:// (not inproc://) as frames arrive: a peer that
/// sends more is disconnected and the message is never delivered. So each limit is the largest
/// legal message of what that socket receives, plus slack; a limit that is too small cuts off
/// honest peers, one that is too large lets a hostile peer make the receiver allocate more.
///
/// With `d` model parameters and `n` logical clients (`headerSize` = 32 bytes):
///
/// | socket                                   | receives                   | limit                         |
/// |------------------------------------------|----------------------------|-------------------------------|
/// | coordinator ROUTER, adversary hub ROUTER | UPDATE, HELLO, HEARTBEAT   | `forUpdates(d, n)`            |
/// | adversary hub tap (PULL)                 | UPDATE                     | `forUpdates(d, clients: 0)`   |
/// | client process DEALER to the coordinator | TASK, WELCOME, SHUTDOWN    | `forClients(d, n)`            |
///
/// The other sockets (a client's DEALER to the hub, sybil DEALERs, the coordinator's tap PUSH)
/// set no limit (libzmq's default, -1). Worked example, the quickstart (d = 650, n = 10):
/// `forUpdates` = 32 + 2,600 + 64 = 2,696 bytes; `forTasks` = 32 + 5,200 + 1,024 = 6,256 bytes.
///
/// With worker state on the wire (`MessageCodec.stateFlag`: worker momentum in FedSGD mode),
/// `states` more frames of 4·d bytes may follow: one on an UPDATE, one per hosted client on a TASK.
public enum MessageSizeLimit {
    /// Bytes of the largest body frame a federation can carry: a model or a delta (4·d bytes of
    /// Float32) or a client-id list (4·n bytes of UInt32).
    public static func largestBody(parameters d: Int, clients n: Int) -> Int {
        4 * max(d, n)
    }

    /// What the server sides accept: `headerSize + 4·max(d, n) + 64`.
    ///
    /// An UPDATE is a header and one frame of 4·d bytes; a HELLO a header and one frame of 4·n
    /// bytes (a process may host every client). The 64 bytes are slack. The hub's tap carries
    /// only UPDATEs: `clients: 0` gives `headerSize + 4·d + 64`.
    public static func forUpdates(parameters d: Int, clients n: Int, states: Int = 0) -> Int64 {
        Int64(MessageCodec.headerSize + largestBody(parameters: d, clients: n) + 4 * d * states + 64)
    }

    /// What a client process's DEALER accepts from the coordinator: the larger of `forTasks`
    /// and `forWelcome` (a WELCOME's session document frame lists the rows of every hosted
    /// client's shard, so its size follows the data, not `d` or `n`).
    public static func forClients(parameters d: Int, clients n: Int, states: Int = 0) -> Int64 {
        max(forTasks(parameters: d, clients: n, states: states), forWelcome)
    }

    /// The largest WELCOME frame: `CodecLimits().maxSessionBytes` (64 MiB) plus 1,024 bytes slack.
    public static let forWelcome = Int64(CodecLimits().maxSessionBytes + 1024)

    /// What a TASK needs: `headerSize + 8·max(d, n) + 1024`.
    ///
    /// The client side keeps a wider slack: 8·max(d, n) bounds a whole TASK (an id frame of 4·n
    /// and a model frame of 4·d bytes), and 1,024 bytes the longest SHUTDOWN reason
    /// (`MessageCodec.maxReasonBytes`). The coordinator is trusted by its clients, so being
    /// generous costs nothing and never cuts a client off from its own federation.
    public static func forTasks(parameters d: Int, clients n: Int, states: Int = 0) -> Int64 {
        Int64(MessageCodec.headerSize + 2 * largestBody(parameters: d, clients: n) + 4 * d * states
              + MessageCodec.maxReasonBytes)
    }
}
