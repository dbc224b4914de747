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

    /// What became of the ids a process asked for.
    struct Registration: Equatable {
        var accepted: [Int] = []
        /// Ids outside 0..<clients.
        var unknown: [Int] = []
        /// Ids held by another process that is still alive.
        var taken: [Int] = []
        /// Silent processes that lost every id they hosted to this registration, with those
        /// ids (they are forgotten; the coordinator tells them to stop).
        var displaced: [([UInt8], [Int])] = []

        static func == (a: Registration, b: Registration) -> Bool {
            a.accepted == b.accepted && a.unknown == b.unknown && a.taken == b.taken
                && a.displaced.map(\.0) == b.displaced.map(\.0) && a.displaced.map(\.1) == b.displaced.map(\.1)
        }
    }

    /// Registers the `ids` that process `identity` may host: ids outside 0..<clients and ids
    /// held by another live process are refused; an id held by a silent (dead) process moves
    /// to the new one.
    mutating func register(_ identity: [UInt8], ids: [Int], clients: Int, now: Date, liveness: TimeInterval) -> Registration {
        var result = Registration()
        for id in ids {
            if id < 0 || id >= clients {
                result.unknown.append(id)
            } else if let holder = owner[id], holder != identity, isAlive(holder, now: now, liveness: liveness) {
                result.taken.append(id)
            } else {
                result.accepted.append(id)
            }
        }
        guard !result.accepted.isEmpty else { return result }
        var lost: [[UInt8]: [Int]] = [:]
        for id in result.accepted {
            if let holder = owner[id], holder != identity {
                peers[holder]?.clientIds.removeAll { $0 == id }
                lost[holder, default: []].append(id)
                if peers[holder]?.clientIds.isEmpty == true { peers[holder] = nil }
            }
            owner[id] = identity
        }
        result.displaced = lost.filter { peers[$0.key] == nil }.map { ($0.key, $0.value.sorted()) }
            .sorted { $0.1[0] < $1.1[0] }
        var peer = peers[identity] ?? Peer(clientIds: [], lastSeen: now)
        peer.clientIds = Array(Set(peer.clientIds).union(result.accepted)).sorted()
        peer.lastSeen = now
        peers[identity] = peer
        return result
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
