import FedCore

extension Registry {
    /// The models clients train (`model.kind`).
    public static let models: [ModelDescriptor] = [
        LogisticRegression.descriptor,
        MLP.descriptor,
        Sequential.cnnDescriptor,
        Sequential.layersDescriptor,
    ]
}
