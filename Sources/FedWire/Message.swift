/// One fedsim protocol message (docs/PROTOCOL.md). Encoded by `MessageCodec` as a 32-byte
/// header frame followed by raw little-endian body frames.
public enum Message: Equatable, Sendable {
    /// client process -> coordinator: "I host these logical clients"; fingerprint of the scenario it loaded.
    case hello(fingerprint: UInt64, clientIds: [UInt32])
    /// coordinator -> client process: registration accepted; parameterCount of the model;
    /// `session`: the session document (UTF-8 JSON, docs/PROTOCOL.md section 4b: parameter
    /// layout, training settings, data assignment, liveness), or empty (the adversary hub).
    case welcome(fingerprint: UInt64, parameterCount: UInt32, clientIds: [UInt32], session: String = "")
    /// coordinator -> client process: train these clients from this global model in this round.
    /// `states`: empty, or one worker state per id (empty: none yet), e.g. its momentum buffer
    /// (header flag `MessageCodec.stateFlag`).
    case task(round: UInt32, clientIds: [UInt32], model: [Float], states: [[Float]] = [])
    /// client process -> coordinator: one logical client's update (FedAvg: its model delta,
    /// local - global; FedSGD: its descent direction). `state`: the worker's state when it is
    /// not the update itself (header flag `MessageCodec.stateFlag`).
    case update(round: UInt32, clientId: UInt32, samples: UInt32, trainLoss: Float, delta: [Float], state: [Float]? = nil)
    /// either direction: liveness; round = the sender's current round.
    case heartbeat(round: UInt32)
    /// coordinator -> client process: the run is over (reason is UTF-8, at most 1024 bytes).
    /// Also a refusal ("rejected: ...").
    case shutdown(reason: String)

    /// The wire kind of this message.
    public var kind: MessageKind {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .task: .task
        case .update: .update
        case .heartbeat: .heartbeat
        case .shutdown: .shutdown
        }
    }
}

/// The kind byte (header offset 6).
public enum MessageKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hello = 1
    case welcome = 2
    case task = 3
    case update = 4
    case heartbeat = 5
    case shutdown = 6

    /// Number of frames of this kind, header included.
    public var frameCount: Int {
        switch self {
        case .hello, .update, .shutdown: 2
        case .welcome, .task: 3
        case .heartbeat: 1
        }
    }

    public var description: String {
        switch self {
        case .hello: "hello"
        case .welcome: "welcome"
        case .task: "task"
        case .update: "update"
        case .heartbeat: "heartbeat"
        case .shutdown: "shutdown"
        }
    }
}
