import FedAttacks
import FedCore
import FedTestSupport

/// An attack input with `own` and `benign` rows (benign defaults to own).
func input(own: [[Float]], benign: [[Float]]? = nil, n: Int = 10, f: Int = 2, round: Int = 1,
           previous: [Float]? = nil) -> AttackInput {
    AttackInput(own: matrix(own), benign: matrix(benign ?? own), totalClients: n, maliciousClients: f,
                round: round, previousGlobalChange: previous)
}
