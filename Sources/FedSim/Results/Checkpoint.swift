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
/// File layout (`checkpoint.bin`): the 8-byte magic `FSIMCKPT`, an 8-byte little-endian
/// length L, L bytes of JSON metadata, the global model as raw little-endian Float32, and a
/// 4-byte little-endian CRC-32 of everything before it. Written atomically (a temporary file,
/// fsync, rename). Reading proves the file before trusting it: magic, lengths and checksum
/// (`read(from:)`), then the contents against the scenario (`validate(scenario:parameters:)`).
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

    static let magic = Array("FSIMCKPT".utf8)

    /// The file's bytes: magic, length, JSON, model, CRC-32.
    func encoded() throws -> Data {
        let json = try RunSummary.encoder().encode(self)
        var bytes = Data(Checkpoint.magic)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(json)
        model.withUnsafeBufferPointer { bytes.append(Data(buffer: $0)) }
        var crc = bytes.withUnsafeBytes { CRC32.checksum($0) }.littleEndian
        withUnsafeBytes(of: &crc) { bytes.append(contentsOf: $0) }
        return bytes
    }

    public func write(to directory: String) throws {
        try AtomicFile.write(try encoded(), to: directory + "/" + Checkpoint.fileName)
    }

    public static func read(from directory: String) throws -> Checkpoint {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError.missing(path) }
        return try decode(data, path: path)
    }

    /// The checkpoint in `data`, or `CheckpointError.corrupt` naming what is wrong. Nothing in the
    /// bytes is trusted before the checksum holds; no length is converted before it is bounded.
    static func decode(_ data: Data, path: String) throws -> Checkpoint {
        let header = magic.count + 8, trailer = 4
        guard data.count >= header + trailer else {
            throw CheckpointError.corrupt(path, "\(data.count) bytes, shorter than the \(header + trailer) of an empty checkpoint")
        }
        guard Array(data.prefix(magic.count)) == magic else {
            throw CheckpointError.corrupt(path, "not a fedsim checkpoint (no FSIMCKPT header)")
        }
        let stored = data.suffix(trailer).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        let computed = data.prefix(data.count - trailer).withUnsafeBytes { CRC32.checksum($0) }
        guard stored == computed else {
            throw CheckpointError.corrupt(path, "checksum mismatch (stored \(hex(UInt64(stored))), computed \(hex(UInt64(computed)))): the file is damaged")
        }
        let rawLength = data.subdata(in: magic.count..<header).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let body = data.count - header - trailer
        guard rawLength <= UInt64(body), (body - Int(rawLength)) % 4 == 0 else {
            throw CheckpointError.corrupt(path, "metadata length \(rawLength) does not fit the \(body) bytes after the header")
        }
        let length = Int(rawLength)
        var c: Checkpoint
        do { c = try RunSummary.decoder().decode(Checkpoint.self, from: data.subdata(in: header..<(header + length))) } catch {
            throw CheckpointError.corrupt(path, "metadata is not a checkpoint's: \(oneLine(error))")
        }
        guard c.version == version else { throw CheckpointError.corrupt(path, "version \(c.version); this fedsim reads \(version)") }
        let floats = data.subdata(in: (header + length)..<(data.count - trailer))
        c.model = floats.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return c
    }

    /// Checks the checkpoint against the scenario it is to continue: the fingerprint, the round
    /// (within 1...rounds, one digest per round, in order), the model's size and finiteness.
    func validate(scenario: Scenario, parameters: Int, path: String) throws {
        func fail(_ why: String) -> CheckpointError { .corrupt(path, why) }
        guard fingerprint == hex(scenario.fingerprint) else {
            throw CheckpointError.mismatch("\(path): the checkpoint is of scenario \(fingerprint), not \(hex(scenario.fingerprint))")
        }
        let rounds = scenario.federation.rounds
        guard (1...rounds).contains(round) else { throw fail("round \(round) is outside 1...\(rounds) (federation.rounds)") }
        guard digests.count == round else { throw fail("round \(round) but \(digests.count) round digests") }
        if let bad = digests.enumerated().first(where: { $0.element.round != $0.offset + 1 }) {
            throw fail("digest \(bad.offset + 1) is of round \(bad.element.round)")
        }
        guard model.count == parameters else {
            throw CheckpointError.mismatch("\(path): the checkpoint's model has \(model.count) parameters; this scenario's has \(parameters)")
        }
        if let i = model.firstIndex(where: { !$0.isFinite }) { throw fail("model parameter \(i) is \(model[i])") }
    }
}

private func oneLine(_ error: Error) -> String {
    "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
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
