import CZeroMQ

/// The libzmq version linked at run time, e.g. (4, 3, 4).
public func zmqVersion() -> (Int, Int, Int) {
    var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
    zmq_version(&major, &minor, &patch)
    return (Int(major), Int(minor), Int(patch))
}

/// `zmq_has`: whether libzmq was built with a capability ("curve", "ipc", "draft"...).
public func zmqHas(_ capability: String) -> Bool {
    zmq_has(capability) == 1
}
