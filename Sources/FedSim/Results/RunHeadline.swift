import FedResults
import Foundation

/// The headline figures of a finished run, as the closing line of `fedsim run` names them:
/// accuracy always; the attack's success rate when an attack has a success metric; epsilon
/// when the privacy accountant's guarantee applies; and, when malicious updates arrived and
/// the rule decided per client, how many it kept out with its mean detection rates.
public enum RunHeadline {
    /// "accuracy 0.9123, ASR 0.980 (backdoor), epsilon 3.21 at delta 1e-05, malicious kept out 45/60 (TPR 0.75, FPR 0.02)".
    public static func figures(_ s: RunSummary) -> String {
        var parts = ["accuracy " + (s.finalTestAccuracy.map { String(format: "%.4f", $0) } ?? "n/a")]
        if let metric = s.attackMetric {
            parts.append("ASR " + (s.finalAttackSuccessRate.map { String(format: "%.3f", $0) } ?? "n/a") + " (\(metric))")
        }
        if let p = s.privacy {
            if let eps = p.epsilon, p.epsilonApplies {
                parts.append(String(format: "epsilon %.2f at delta %g", eps, p.delta))
            } else {
                parts.append("epsilon n/a (summary.json privacy.note)")
            }
        }
        if let selected = s.maliciousSelected, s.maliciousReceived > 0 {
            var text = "malicious kept out \(s.maliciousReceived - selected)/\(s.maliciousReceived)"
            let rates = [s.meanDetectionTPR.map { String(format: "TPR %.2f", $0) },
                         s.meanDetectionFPR.map { String(format: "FPR %.2f", $0) }].compactMap { $0 }
            if !rates.isEmpty { text += " (" + rates.joined(separator: ", ") + ")" }
            parts.append(text)
        }
        return parts.joined(separator: ", ")
    }
}
