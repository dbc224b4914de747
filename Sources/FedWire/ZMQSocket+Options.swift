import CZeroMQ

/// Typed socket options. Most options only affect connections made after they are set, so
/// set them before `bind`/`connect`. Every setter goes through the one error gate and throws
/// a `ZMQError` naming `zmq_setsockopt` and the option.
extension ZMQSocket {
    // MARK: - Typed setters

    /// `ZMQ_LINGER`: how long `close()` keeps unsent messages (ms; -1 = forever, 0 = drop).
    public func setLinger(milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_LINGER, milliseconds, name: "ZMQ_LINGER")
    }

    /// `ZMQ_SNDHWM`: queued outgoing messages per peer before send blocks / returns false (0 = no limit).
    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM")
    }

    /// `ZMQ_RCVHWM`: queued incoming messages per peer (0 = no limit).
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setOption(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM")
    }

    /// `ZMQ_MAXMSGSIZE`: a peer sending a larger message (tcp/ipc) is disconnected and the
    /// message is never delivered. -1 = no limit (the libzmq default).
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) {
        try setOption(ZMQ_MAXMSGSIZE, int64: bytes, name: "ZMQ_MAXMSGSIZE")
    }

    /// `ZMQ_ROUTING_ID`: the identity a ROUTER peer sees (1...255 bytes, not starting with 0).
    public func setRoutingId(_ id: [UInt8]) throws(ZMQError) {
        try setOption(ZMQ_ROUTING_ID, bytes: id, name: "ZMQ_ROUTING_ID")
    }

    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections.
    public func setImmediate(_ on: Bool) throws(ZMQError) {
        try setOption(ZMQ_IMMEDIATE, on ? 1 : 0, name: "ZMQ_IMMEDIATE")
    }

    /// `ZMQ_ROUTER_MANDATORY`: a ROUTER send to an unknown routing id throws `EHOSTUNREACH`
    /// instead of silently dropping the message.
    public func setRouterMandatory(_ on: Bool) throws(ZMQError) {
        try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, name: "ZMQ_ROUTER_MANDATORY")
    }

    /// `ZMQ_RCVTIMEO`: a blocking `receive()` returns nil after this long (-1 = forever).
    public func setReceiveTimeout(milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_RCVTIMEO, milliseconds, name: "ZMQ_RCVTIMEO")
    }

    /// `ZMQ_SNDTIMEO`: a blocking `send()` returns false after this long (-1 = forever).
    public func setSendTimeout(milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDTIMEO, milliseconds, name: "ZMQ_SNDTIMEO")
    }

    /// `ZMQ_TCP_KEEPALIVE`: `true` = SO_KEEPALIVE on, `false` = off, `nil` = OS default.
    public func setTCPKeepalive(_ on: Bool?) throws(ZMQError) {
        try setOption(ZMQ_TCP_KEEPALIVE, on.map { $0 ? 1 : 0 } ?? -1, name: "ZMQ_TCP_KEEPALIVE")
    }

    /// `ZMQ_BACKLOG`: pending-connection queue length for tcp/ipc listeners.
    public func setBacklog(_ connections: Int32) throws(ZMQError) {
        try setOption(ZMQ_BACKLOG, connections, name: "ZMQ_BACKLOG")
    }

    // MARK: - Generic setters (CURVE keys, ZAP domain... go through these)

    /// Sets an `int` option.
    public func setOption(_ option: Int32, _ value: Int32, name: String? = nil) throws(ZMQError) {
        let h = try open("zmq_setsockopt", name ?? "option \(option)")
        var v = value
        try zmqCheck("zmq_setsockopt", name ?? "option \(option)") {
            zmq_setsockopt(h, option, &v, MemoryLayout<Int32>.size)
        }
    }

    /// Sets an `int64_t` option.
    public func setOption(_ option: Int32, int64 value: Int64, name: String? = nil) throws(ZMQError) {
        let h = try open("zmq_setsockopt", name ?? "option \(option)")
        var v = value
        try zmqCheck("zmq_setsockopt", name ?? "option \(option)") {
            zmq_setsockopt(h, option, &v, MemoryLayout<Int64>.size)
        }
    }

    /// Sets a binary option (routing id, subscription, 32-byte CURVE keys...).
    public func setOption(_ option: Int32, bytes: [UInt8], name: String? = nil) throws(ZMQError) {
        let h = try open("zmq_setsockopt", name ?? "option \(option)")
        try zmqCheck("zmq_setsockopt", name ?? "option \(option)") {
            bytes.withUnsafeBytes { zmq_setsockopt(h, option, $0.baseAddress, $0.count) }
        }
    }

    /// Sets a string option, passed as its UTF-8 bytes without a terminator (e.g. ZMQ_ZAP_DOMAIN,
    /// 40-character Z85 CURVE keys).
    public func setOption(_ option: Int32, string: String, name: String? = nil) throws(ZMQError) {
        try setOption(option, bytes: Array(string.utf8), name: name)
    }

    // MARK: - Getters

    /// Reads an `int` option.
    public func getOption(_ option: Int32, name: String? = nil) throws(ZMQError) -> Int32 {
        let h = try open("zmq_getsockopt", name ?? "option \(option)")
        var v: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try zmqCheck("zmq_getsockopt", name ?? "option \(option)") { zmq_getsockopt(h, option, &v, &size) }
        return v
    }

    /// `ZMQ_LAST_ENDPOINT`: the endpoint of the last bind/connect, resolved
    /// (`tcp://127.0.0.1:0` reads back as `tcp://127.0.0.1:41234`).
    public var lastEndpoint: String {
        get throws(ZMQError) {
            let h = try open("zmq_getsockopt", "ZMQ_LAST_ENDPOINT")
            var buffer = [UInt8](repeating: 0, count: 1024)
            var size = buffer.count
            try zmqCheck("zmq_getsockopt", "ZMQ_LAST_ENDPOINT") {
                buffer.withUnsafeMutableBytes { zmq_getsockopt(h, ZMQ_LAST_ENDPOINT, $0.baseAddress, &size) }
            }
            let bytes = buffer.prefix(min(size, buffer.count)).prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
