/// Scratch memory that a model reuses from one batch to the next.
///
/// A `Model` is an immutable `Sendable` value shared by threads, so it cannot own scratch
/// memory. The caller that runs batches one after another (the local trainer, the evaluator)
/// owns one workspace and passes it to every call: the buffer grows to the largest batch seen
/// and is then reused, so a training or evaluation loop allocates once, not once per batch.
///
/// A workspace belongs to one caller at a time (it is deliberately not `Sendable`); its
/// content between calls is unspecified. Models without scratch needs ignore it.
public final class ModelWorkspace {
    private var storage: UnsafeMutableBufferPointer<Float>

    public init() {
        storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
    }

    deinit { storage.deallocate() }

    /// Floats currently held.
    public var capacity: Int { storage.count }

    /// At least `count` floats of scratch (zero-filled only when newly allocated). Grows
    /// (reallocates) only when `count` exceeds the capacity; earlier pointers are then invalid.
    public func floats(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(count >= 0, "ModelWorkspace: negative size \(count)")
        if count > storage.count {
            storage.deallocate()
            storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            storage.initialize(repeating: 0)
        }
        return UnsafeMutableBufferPointer(rebasing: storage[0..<count])
    }
}
