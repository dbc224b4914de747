import FedRobust

extension Registry {
    /// The server's aggregation rules (`defense.aggregator`), in the order the docs list them.
    public static let aggregators: [AggregatorDescriptor] = [
        Mean.descriptor,
        CoordinateMedian.descriptor,
        TrimmedMean.descriptor,
        Krum.descriptor,
        MultiKrum.descriptor,
        Bulyan.descriptor,
        GeometricMedian.descriptor,
        CenteredClipping.descriptor,
        NormBounding.descriptor,
        FLTrust.descriptor,
        FoolsGold.descriptor,
        RobustLearningRate.descriptor,
        DivideAndConquer.descriptor,
        SignGuard.descriptor,
        FLAME.descriptor,
    ]
}
