import Foundation

/// State a component carries from one round to the next (centered clipping's centre,
/// FoolsGold's histories, the privacy accountant, worker momentum), in a form the checkpoint
/// can write without knowing the component: named vectors and numbers.
///
/// A component that keeps state implements `savedState` and `restore(_:)` (see `Aggregator`);
/// a wrapper (DP, clipping, bucketing) passes its inner component's state through. Restoring
/// validates what it reads: a checkpoint is data from disk, not trusted.
///
/// Encoded, every Float vector is one base64 string of its little-endian Float32 bytes (exact,
/// and about 20 times faster to write than a JSON array of numbers: worker momentum keeps a
/// model-sized buffer per client and is checkpointed every round); a JSON array of numbers
/// is read as well.
public struct SavedState: Codable, Sendable, Equatable {
    /// Float vectors by name (a centre, a momentum buffer).
    public var vectors: [String: [Float]]
    /// Float vectors keyed by client id, by name (FoolsGold's per-client histories).
    public var perClient: [String: [Int: [Float]]]
    /// Double vectors by name (an accountant's RDP vector, per-round epsilons).
    public var numbers: [String: [Double]]

    public init(vectors: [String: [Float]] = [:], perClient: [String: [Int: [Float]]] = [:],
                numbers: [String: [Double]] = [:]) {
        self.vectors = vectors
        self.perClient = perClient
        self.numbers = numbers
    }

    enum CodingKeys: String, CodingKey { case vectors, perClient, numbers }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vectors = try c.decode([String: PackedFloats].self, forKey: .vectors).mapValues(\.values)
        perClient = try c.decode([String: [Int: PackedFloats]].self, forKey: .perClient).mapValues { $0.mapValues(\.values) }
        numbers = try c.decode([String: [Double]].self, forKey: .numbers)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vectors.mapValues(PackedFloats.init), forKey: .vectors)
        try c.encode(perClient.mapValues { $0.mapValues(PackedFloats.init) }, forKey: .perClient)
        try c.encode(numbers, forKey: .numbers)
    }

    /// The vector `name`, or a `SavedStateError` naming the component and what is missing.
    public func vector(_ name: String, of component: String) throws -> [Float] {
        guard let v = vectors[name] else { throw SavedStateError(component: component, message: "no vector \"\(name)\"") }
        return v
    }

    public func perClient(_ name: String, of component: String) throws -> [Int: [Float]] {
        guard let v = perClient[name] else { throw SavedStateError(component: component, message: "no per-client vectors \"\(name)\"") }
        return v
    }

    public func numbers(_ name: String, of component: String) throws -> [Double] {
        guard let v = numbers[name] else { throw SavedStateError(component: component, message: "no numbers \"\(name)\"") }
        return v
    }
}

/// A checkpoint's state that does not fit the component restoring it.
public struct SavedStateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var component: String
    public var message: String

    public init(component: String, message: String) {
        self.component = component
        self.message = message
    }

    public var description: String { "saved state of \(component): \(message)" }
}

/// A Float vector coded as base64 of its little-endian Float32 bytes (or read from a JSON array).
struct PackedFloats: Codable {
    var values: [Float]

    init(_ values: [Float]) { self.values = values }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let array = try? c.decode([Float].self) {
            values = array
            return
        }
        let text = try c.decode(String.self)
        guard let bytes = Data(base64Encoded: text), bytes.count % 4 == 0 else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not base64 of Float32 values")
        }
        values = bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        let bytes: Data
        if 1.littleEndian == 1 {
            bytes = values.withUnsafeBytes { Data($0) }
        } else {
            bytes = Data(values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
        }
        try c.encode(bytes.base64EncodedString())
    }
}
