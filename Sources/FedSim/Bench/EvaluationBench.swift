import FedCore
import FedEval
import Foundation

/// Times each threat evaluation of a scenario's `evaluate:` section (`fedsim bench evaluations`).
///
/// Method: the scenario's data, partition and model are prepared as for a run
/// (`FederationData.prepare`); the global model is its initial parameters (the evaluations'
/// work does not depend on the parameters' values: the same passes, steps and queries), the
/// round is 1 and no updates are observed. Each evaluation runs `repeats` times on the
/// monotonic clock with the input a run would give it after round 1; reported: the best and the
/// median time. This is the compute of one evaluation alone; a run's `evaluation_ms` column
/// also includes the wait for the coordinator's loop to pick the result up (up to 0.1 s).
public enum EvaluationBench {
    public struct Result: Sendable {
        public var evaluation: String
        public var model: String
        public var parameters: Int
        public var timesMs: [Double]
        public var bestMs: Double { timesMs.min() ?? 0 }
        public var medianMs: Double {
            let s = timesMs.sorted()
            return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
    }

    /// Runs every evaluation of `scenario`, calling `report` after each.
    public static func run(_ scenario: Scenario, repeats: Int, report: (Result) -> Void) throws {
        guard repeats >= 1 else { throw BenchError.invalid("--repeat must be at least 1; got \(repeats)") }
        guard !scenario.evaluate.isEmpty else {
            throw BenchError.invalid("scenario \(scenario.name) has no evaluate: section with an evaluation to time")
        }
        let data = try FederationData.prepare(scenario)
        let evaluator = ThreatEvaluator(scenario: scenario, data: data)
        let parameters = data.initialParameters
        for c in scenario.evaluate.evaluations {
            var times = [Double]()
            for _ in 0..<repeats {
                let input = evaluator.input(c, round: 1, parameters: parameters, previous: parameters, updates: [])
                let start = MonotonicClock.nanoseconds()
                _ = try c.descriptor.evaluate(c.values, input)
                times.append(Double(MonotonicClock.nanoseconds() - start) / 1e6)
            }
            report(Result(evaluation: c.kind, model: scenario.model.kind, parameters: data.model.parameterCount, timesMs: times))
        }
    }
}
