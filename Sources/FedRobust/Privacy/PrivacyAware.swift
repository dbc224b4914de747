/// An aggregator that adds differential-privacy noise, and says whether the RDP accountant's
/// (ε, δ) actually describes what it releases.
///
/// The accountant (`RDPAccountant`) composes the sampled Gaussian mechanism: each round
/// releases the *sum of clipped updates* (sensitivity C under adding or removing one client)
/// plus N(0, (zC)² I). That argument holds for `DPFedAvg`. It does not hold when a robust rule
/// replaces the clipped sum (docs/ALGORITHMS.md section 4: a robust aggregator placed *after* the
/// noise is post-processing and harmless, one placed *instead of* the sum voids the
/// sensitivity bound), which is what `DPWrapped` does; results must then not quote ε.
public protocol PrivacyAware: Sendable {
    /// True when the accountant's ε for (q = expectedClients / N, z = `noiseMultiplier`) is a
    /// valid user-level guarantee for this aggregator's output.
    var epsilonApplies: Bool { get }
    /// One or two sentences for results and reports: what the guarantee covers, or why none.
    var guaranteeNote: String { get }
    /// z: noise standard deviation on the clipped sum, in units of the clip norm C.
    var noiseMultiplier: Double { get }
}
