import Foundation

/// Which client process (by ZeroMQ routing id) hosts which logical clients, and when each
/// process was last heard from. A logical client id is bound to the process that registered
/// it, so one process cannot send an update as a client that another process hosts.
struct PeerTable {
    struct Peer {
        var clientIds: [Int]
        var lastSeen: Date
    }

    private(set) var peers: [[UInt8]: Peer] = [:]
    private(set) var owner: [Int: [UInt8]] = [:]

    enum Refusal: Error, Equatable {
        case unknownClient(Int, clients: Int)
        case ownedElsewhere(Int)
    }

    /// Registers `ids` for process `identity`. A client id held by another process that is
    /// still alive is refused; one held by a silent (dead) process moves to the new one.
    mutating func register(_ identity: [UInt8], ids: [Int], clients: Int, now: Date, liveness: TimeInterval) throws {
        for id in ids {
            guard id >= 0 && id < clients else { throw Refusal.unknownClient(id, clients: clients) }
            if let holder = owner[id], holder != identity, isAlive(holder, now: now, liveness: liveness) {
                throw Refusal.ownedElsewhere(id)
            }
        }
        for id in ids {
            if let holder = owner[id], holder != identity {
                peers[holder]?.clientIds.removeAll { $0 == id }
                if peers[holder]?.clientIds.isEmpty == true { peers[holder] = nil }
            }
            owner[id] = identity
        }
        var peer = peers[identity] ?? Peer(clientIds: [], lastSeen: now)
        peer.clientIds = Array(Set(peer.clientIds).union(ids)).sorted()
        peer.lastSeen = now
        peers[identity] = peer
    }

    mutating func touch(_ identity: [UInt8], now: Date) {
        peers[identity]?.lastSeen = now
    }

    func isKnown(_ identity: [UInt8]) -> Bool { peers[identity] != nil }

    func owns(_ identity: [UInt8], client: Int) -> Bool { owner[client] == identity }

    func isAlive(_ identity: [UInt8], now: Date, liveness: TimeInterval) -> Bool {
        guard let p = peers[identity] else { return false }
        return now.timeIntervalSince(p.lastSeen) <= liveness
    }

    /// Number of distinct logical clients registered.
    var registeredCount: Int { owner.count }

    /// The sampled clients of each process, for the processes that host any.
    func tasks(for sampled: [Int]) -> [([UInt8], [Int])] {
        var byPeer: [[UInt8]: [Int]] = [:]
        for id in sampled { if let o = owner[id] { byPeer[o, default: []].append(id) } }
        return byPeer.map { ($0.key, $0.value.sorted()) }.sorted { $0.1[0] < $1.1[0] }
    }
}
