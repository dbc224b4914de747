/// State a component carries from one round to the next (centered clipping's centre,
/// FoolsGold's histories, the privacy accountant, worker momentum), in a form the checkpoint
/// can write without knowing the component: named vectors and numbers.
///
/// A component that keeps state implements `savedState` and `restore(_:)` (see `Aggregator`);
/// a wrapper (DP, clipping, bucketing) passes its inner component's state through. Restoring
/// validates what it reads: a checkpoint is data from disk, not trusted.
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
