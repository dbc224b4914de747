/// Caps applied by `MessageCodec.decode` before anything is allocated for a body.
public struct CodecLimits: Sendable, Equatable {
    /// Largest model / delta element count (and WELCOME parameterCount). Default 50,000,000
    /// (200 MB of Float32): above any model this simulator trains, below memory trouble. Every
    /// fedsim process decodes with `federation(parameters:clients:)`, whose cap is the model's
    /// parameter count.
    public var maxParameters: Int
    /// Largest client-id list. Default 100,000 (100x the largest planned federation).
    public var maxClientIds: Int
    /// Largest SHUTDOWN reason in UTF-8 bytes. Default 1024 (the protocol's limit).
    public var maxReasonBytes: Int
    /// Reject NaN / ±Inf in models, deltas and the train loss. Default true.
    public var requireFinite: Bool
    /// Largest WELCOME session document in UTF-8 bytes. Default 64 MiB (a client hosting
    /// every client of a 60,000-sample federation needs about 1 MB).
    public var maxSessionBytes: Int = 64 << 20

    public init(
        maxParameters: Int = 50_000_000,
        maxClientIds: Int = 100_000,
        maxReasonBytes: Int = 1024,
        requireFinite: Bool = true
    ) {
        self.maxParameters = maxParameters
        self.maxClientIds = maxClientIds
        self.maxReasonBytes = maxReasonBytes
        self.requireFinite = requireFinite
    }
}

extension CodecLimits {
    /// The caps every fedsim process decodes with: models and deltas of at most `parameters`
    /// elements, id lists of at most `clients` ids, reasons of at most 1,024 bytes, finite values.
    public static func federation(parameters: Int, clients: Int) -> CodecLimits {
        CodecLimits(maxParameters: parameters, maxClientIds: clients, maxReasonBytes: 1024, requireFinite: true)
    }
}
