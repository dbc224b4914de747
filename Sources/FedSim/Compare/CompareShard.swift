/// One slice of a comparison for a cluster scheduler: `fedsim compare FILE --shard K/N` runs
/// the cells whose position in matrix order (attacks outermost, then defenses, then seeds;
/// counted from 0) leaves remainder K when divided by N. K counts from 0, as Slurm's
/// `--array=0-(N-1)` and a Kubernetes Indexed Job's JOB_COMPLETION_INDEX do. The N slices
/// are disjoint, together hold every cell, and differ in size by at most one; the assignment
/// depends only on the comparison file (and `--set`), never on the machine or the clock.
public struct CompareShard: Sendable, Equatable, CustomStringConvertible {
    /// This slice, 0 ..< count.
    public var index: Int
    /// How many slices the comparison is cut into.
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw CompareShardError("--shard \(index)/\(count): N must be at least 1") }
        guard (0..<count).contains(index) else {
            throw CompareShardError("--shard \(index)/\(count): K must be in 0...\(count - 1) (K counts from 0)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`, e.g. `3/8`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw CompareShardError("--shard \(text): expected K/N with whole numbers, e.g. --shard 0/4")
        }
        try self.init(index: k, count: n)
    }

    /// Whether the cell at `position` (0-based, matrix order) belongs to this slice.
    public func owns(position: Int) -> Bool { position % count == index }

    /// The slice's own table, relative to the comparison folder: only this shard writes it,
    /// so shards sharing a folder never write the same file (compare.csv is written by
    /// `--merge` or a plain run).
    public var csvPath: String { "shards/compare-\(index)-of-\(count).csv" }

    public var description: String { "\(index)/\(count)" }
}

/// A `--shard` value that is not K/N with 0 <= K < N.
public struct CompareShardError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
