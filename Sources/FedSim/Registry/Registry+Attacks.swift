import FedAttacks

extension Registry {
    /// The attacks (`attack.kind`): data poisoning, model poisoning in the client, colluding
    /// attacks in the adversary hub, then the protocol-level attackers.
    public static let attacks: [AttackDescriptor] = [
        LabelFlip.descriptor,
        Backdoor.descriptor,
        DistributedBackdoor.descriptor,
        Neurotoxin.descriptor,
        ConstrainAndScale.descriptor,
        EdgeCase.descriptor,
        SignFlip.descriptor,
        Scaling.descriptor,
        GaussianNoise.descriptor,
        FreeRider.descriptor,
        ALIE.descriptor,
        IPM.descriptor,
        MinMax.descriptor,
        MinSum.descriptor,
        Mimic.descriptor,
        Fang.descriptor,
        FangKrum.descriptor,
        Adaptive.descriptor,
        AGRTailored.descriptor,
    ] + ProtocolAttacker.descriptors
}
