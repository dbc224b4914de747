import FedCore

/// Every worker's momentum buffer (FedSGD with `momentum_buffer: worker`), held by the
/// coordinator for the clients, so that a buffer outlives the client process that computed it
/// and lands in the checkpoint.
///
/// A worker's buffer is what it last reported: its update (an honest worker sends its buffer,
/// `MomentumBuffer.worker`), or the state frame beside it when what it sent is not its buffer
/// (a malicious worker sends a crafted update but keeps its own honest buffer, as the papers'
/// Byzantine workers do). The TASK of a round carries each listed client's buffer back (an
/// empty frame before its first accepted update). The coordinator only stores and returns
/// these vectors: aggregation and detection never read them. A client whose update was not
/// accepted (dropped out, late, rejected) keeps its previous buffer.
///
/// Memory: one vector of `d` floats per client that has reported at least once (at most
/// `clients x d`, the same total the client processes would hold).
struct WorkerStates {
    /// Key of `Checkpoint.states`.
    static let checkpointKey = "worker_momentum"
    let parameters: Int
    let clients: Int
    private(set) var buffers: [Int: [Float]] = [:]

    init(parameters: Int, clients: Int) {
        self.parameters = parameters
        self.clients = clients
    }

    /// The states a TASK for `ids` carries: each id's buffer, or an empty frame.
    func states(for ids: [Int]) -> [[Float]] {
        ids.map { buffers[$0] ?? [] }
    }

    /// Records an accepted update: `state` when the client sent one, else the update itself.
    mutating func record(client: Int, update: [Float], state: [Float]?) {
        buffers[client] = state ?? update
    }

    var savedState: SavedState {
        SavedState(perClient: ["buffer": buffers])
    }

    /// Restores `savedState`; every id must be a client and every buffer `parameters` finite floats.
    mutating func restore(_ state: SavedState) throws {
        let name = Self.checkpointKey
        let saved = try state.perClient("buffer", of: name)
        for (id, b) in saved {
            guard (0..<clients).contains(id) else {
                throw SavedStateError(component: name, message: "client \(id) is outside 0..<\(clients)")
            }
            guard b.count == parameters else {
                throw SavedStateError(component: name, message: "client \(id)'s buffer has \(b.count) values; the model has \(parameters)")
            }
            if let i = b.firstIndex(where: { !$0.isFinite }) {
                throw SavedStateError(component: name, message: "client \(id)'s buffer holds \(b[i]) at \(i)")
            }
        }
        buffers = saved
    }
}
