import FedWire

/// What `ZMQPoller` needs from a ZeroMQ transport: the sockets to poll, and which of them
/// were readable (a transport with several sockets acts on the one that was).
protocol ZMQPollable: Pollable {
    var pollSockets: [ZMQSocket] { get }
    func noteReady(_ events: [PollEvents])
}

/// A ROUTER, and under CURVE the ZAP handler that admits the allowlisted client keys.
///
/// `receive()` first answers the ZAP requests the last poll found (their refusals come out as
/// `.refused`), then returns the next message with its connection's User-Id.
final class ZMQServerTransport: ServerTransport, ZMQPollable {
    let socket: ZMQSocket
    let zap: ZAPHandler?
    let peerGuard: PeerGuard?
    let endpoint: String
    private var zapReadable = false
    private var pending: [ServerEvent] = []

    /// Creates the ROUTER; under CURVE binds the ZAP handler and makes the ROUTER a CURVE
    /// server before anything else (libzmq admits every client of a context without a
    /// handler); sets `linger`, `maxMessageSize` and both high-water marks when given; binds.
    /// With `maxPeers`, a `PeerGuard` holds the open connections to at most that many (and to
    /// what the file-descriptor limit leaves), and the listen backlog is as long, so that a
    /// burst of connections waits in the kernel instead of being refused.
    init(context: ZMQContext, bind address: String, curve: ServerCurve?, linger: Int32,
         maxMessageSize: Int64?, highWaterMark: Int32?, maxPeers: Int? = nil) throws {
        let socket = try ZMQSocket(context: context, type: .router)
        var handler: ZAPHandler?
        var peerGuard: PeerGuard?
        do {
            if let curve {
                let h = try ZAPHandler(context: context, allowlist: curve.allowlist)
                handler = h
                try h.secureServer(socket, secretKey: curve.keys.secretKey)
            }
            try socket.setLinger(milliseconds: linger)
            if let maxMessageSize { try socket.setMaxMessageSize(maxMessageSize) }
            if let highWaterMark {
                try socket.setReceiveHighWaterMark(highWaterMark)
                try socket.setSendHighWaterMark(highWaterMark)
            }
            if let maxPeers {
                let cap = max(1, min(maxPeers, PeerGuard.descriptorBudget()))
                try socket.setBacklog(Int32(min(cap, 4096)))
                peerGuard = try PeerGuard(socket: socket, cap: cap)
            }
            try socket.bind(address)
            endpoint = try socket.lastEndpoint
        } catch {
            peerGuard?.close()
            handler?.close()
            socket.close()
            throw error
        }
        self.socket = socket
        zap = handler
        self.peerGuard = peerGuard
    }

    var pollSockets: [ZMQSocket] { zap.map { [socket, $0.socket] } ?? [socket] }

    func noteReady(_ events: [PollEvents]) {
        if events.count > 1, events[1].contains(.readable) { zapReadable = true }
    }

    func receive() throws -> ServerEvent? {
        if pending.isEmpty, zapReadable, let zap {
            zapReadable = false
            for decision in try zap.serviceAll() {
                guard let refusal = decision.refusal else { continue }
                pending.append(.refused("refused a \(decision.mechanism) connection from \(decision.address): \(refusal)"))
            }
        }
        if let peerGuard {
            let dropped = peerGuard.takeDropped()
            if dropped > 0 {
                pending.append(.peersDropped(count: dropped, detail: "closed \(dropped) connection\(dropped == 1 ? "" : "s") that never "
                                             + "sent a message: more than \(peerGuard.cap) were open (transport.max_peers, or the open-file limit)"))
            }
        }
        if !pending.isEmpty { return pending.removeFirst() }
        guard let received = try socket.receiveWithMetadata(dontWait: true) else { return nil }
        peerGuard?.noteSpoke(socket.lastSourceDescriptor)
        return .message(identity: received.frames.first ?? [], frames: Array(received.frames.dropFirst()),
                        userId: received.userId)
    }

    func send(_ frames: [[UInt8]], to identity: [UInt8]) throws -> Bool {
        try socket.send([identity] + frames, dontWait: true)
    }

    /// Closes the peer guard and the ZAP handler, then the ROUTER.
    func close() {
        peerGuard?.close()
        zap?.close()
        socket.close()
    }
}

/// One DEALER, PUSH or PULL socket.
final class ZMQClientTransport: ClientTransport, ZMQPollable {
    let socket: ZMQSocket
    let endpoint: String

    /// Creates the socket; sets `linger` and `maxMessageSize` when given, then the CURVE
    /// client keys when given; connects to `address` (or binds it when `binds`).
    init(context: ZMQContext, type: ZMQSocket.SocketType, address: String, binds: Bool, linger: Int32?,
         maxMessageSize: Int64?, curve: ClientCurve?) throws {
        let socket = try ZMQSocket(context: context, type: type)
        do {
            if let linger { try socket.setLinger(milliseconds: linger) }
            if let maxMessageSize { try socket.setMaxMessageSize(maxMessageSize) }
            if let curve { try socket.setCurveClient(keys: curve.keys, serverPublicKey: curve.serverKey) }
            if binds {
                try socket.bind(address)
                endpoint = try socket.lastEndpoint
            } else {
                try socket.connect(address)
                endpoint = address
            }
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
    }

    var pollSockets: [ZMQSocket] { [socket] }

    func noteReady(_ events: [PollEvents]) {}

    func receive() throws -> [[UInt8]]? {
        try socket.receive(dontWait: true)
    }

    func send(_ frames: [[UInt8]], wait: Bool) throws -> Bool {
        try socket.send(frames, dontWait: !wait)
    }

    func close() { socket.close() }
}
