#if canImport(Glibc)
import Glibc
#endif
import FedCore
import FedResults
import Foundation

/// The coordinator's state after a round, enough to continue the run as if it had not
/// stopped: the global model, the round, the state of every component that keeps some
/// (`SavedState` by component: the rule's, the privacy accountant's) and the per-round digests. Every
/// random draw derives from (seed, round, client), so there is no generator state to keep.
///
/// File layout (`checkpoint.bin`): 8-byte little-endian length L, L bytes of JSON metadata,
/// then the global model as raw little-endian Float32. Written atomically: a temporary file,
/// fsync, rename.
public struct Checkpoint: Codable, Sendable {
    public static let fileName = "checkpoint.bin"
    public static let version = 2
    /// Keys of `states`.
    static let aggregatorKey = "aggregator", privacyKey = "privacy"

    public var version: Int = Checkpoint.version
    public var fingerprint: String
    /// The last completed round.
    public var round: Int
    public var digests: [RoundDigest]
    /// What each stateful component saved, by component ("aggregator", "privacy").
    public var states: [String: SavedState]
    /// Not in the JSON: the model follows it in the file.
    public var model: [Float] = []

    enum CodingKeys: String, CodingKey {
        case version, fingerprint, round, digests, states
    }

    public func write(to directory: String) throws {
        let json = try JSONEncoder().encode(self)
        var bytes = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(json)
        model.withUnsafeBufferPointer { bytes.append(Data(buffer: $0)) }
        let path = directory + "/" + Checkpoint.fileName
        let tmp = path + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: bytes),
              let handle = FileHandle(forWritingAtPath: tmp) else { throw ResultsError.cannotWrite(path: tmp) }
        try handle.synchronize()
        try handle.close()
        guard rename(tmp, path) == 0 else { throw ResultsError.cannotWrite(path: path) }
    }

    public static func read(from directory: String) throws -> Checkpoint {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError.missing(path) }
        guard data.count >= 8 else { throw CheckpointError.corrupt(path, "shorter than its header") }
        let length = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard length >= 0, 8 + length <= data.count, (data.count - 8 - length) % 4 == 0 else {
            throw CheckpointError.corrupt(path, "lengths do not add up")
        }
        var c: Checkpoint
        do { c = try JSONDecoder().decode(Checkpoint.self, from: data.subdata(in: 8..<(8 + length))) } catch {
            throw CheckpointError.corrupt(path, "\(error)")
        }
        guard c.version == version else { throw CheckpointError.corrupt(path, "version \(c.version); this fedsim reads \(version)") }
        let floats = data.subdata(in: (8 + length)..<data.count)
        c.model = floats.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return c
    }
}

public enum CheckpointError: Error, CustomStringConvertible {
    case missing(String)
    case corrupt(String, String)
    case mismatch(String)

    public var description: String {
        switch self {
        case let .missing(p): return "\(p): no checkpoint to resume from (the run stopped before its first round ended)"
        case let .corrupt(p, why): return "\(p): unreadable checkpoint: \(why)"
        case let .mismatch(why): return why
        }
    }
}
