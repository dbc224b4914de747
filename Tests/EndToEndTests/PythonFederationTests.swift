import Foundation
import XCTest

/// The `fedsim-client` package (python/) in real federations: numpy clients trained from the
/// WELCOME session document alone (layout, training settings, shard rows, normaliser) next to
/// Swift clients give the same final model as an all-Swift run, within float tolerance; a
/// malicious Python client (python/examples/sign_flip.py) is aggregated like any other.
final class PythonFederationTests: EndToEndTestCase {
    private func python() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["FEDSIM_PYTHON"] else {
            throw XCTSkip("FEDSIM_PYTHON is not set (scripts/test sets it to the venv of scripts/python-env, "
                          + "with pyzmq, numpy and python/ installed)")
        }
        return python
    }

    /// 300 rows of 6 features and 3 classes, from a fixed linear congruential sequence: a
    /// class-dependent mean plus noise, written with 4 decimals (label last).
    private func writeData() throws -> String {
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var lines = ["f0,f1,f2,f3,f4,f5,label"]
        for i in 0..<300 {
            let y = i % 3
            let row = (0..<6).map { j in String(format: "%.4f", Double((y + j) % 3) * 1.5 + 4 * next() - 2) }
            lines.append((row + [String(y)]).joined(separator: ","))
        }
        let path = harness.path("data.csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The CSV data set of `writeData`, standardised.
    private func csvDataset() throws -> String {
        "{kind: csv, path: \(try writeData()), normalize: standard, test_fraction: 0.2}"
    }

    /// `mode` is the federation mode (`fedavg` or `fedsgd`).
    private func scenario(model: String, dataset: String? = nil, mode: String = "fedavg") throws -> String {
        let data = try dataset ?? csvDataset()
        let path = harness.path("python-\(model.filter { $0.isLetter || $0.isNumber })-\(mode).yaml")
        try """
            name: python-mixed
            seed: 5
            dataset: \(data)
            partition:
              kind: dirichlet
              alpha: 1.0
            model:
              \(model)
            federation:
              mode: \(mode)
              clients: 4
              rounds: 3
              fraction: 1.0
              \(mode == "fedavg" ? "local_epochs: 2" : "# one minibatch gradient per round")
              batch_size: 16
              learning_rate: 0.1
              momentum: 0.9    # in fedsgd mode a worker buffer kept across rounds (docs/PROTOCOL.md 4a)
              weight_decay: 0.001
              startup_timeout: 120
            transport:
              kind: tcp

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func model(_ relative: String) throws -> [Float] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: harness.path(relative)), "no \(relative)")
        let bytes = [UInt8](data)
        let n = bytes.count / 4
        var out = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBytes { $0.copyBytes(from: bytes.prefix(n * 4)) }
        return out
    }

    /// Runs `scenario` with Swift clients `swift` and Python processes `pythons` (arguments
    /// after the endpoint); returns the final model.
    private func federation(_ scenario: String, output: String, swift: [Int], pythons: [[String]],
                            torch: String? = nil) throws -> [Float] {
        let numpy = try python()
        let f = try harness.startFederation(scenario: scenario, output: output, clientIds: swift, settings: [],
                                            logPrefix: output + "-")
        let procs = try pythons.enumerated().map { k, args in
            // The last process runs under `torch` when it is given.
            try harness.start(executable: torch != nil && k == pythons.count - 1 ? torch! : numpy, ["-u"] + args.map { $0 == "ENDPOINT" ? f.endpoint : $0 },
                              log: "\(output)-python-\(k).log", environment: ["OPENBLAS_NUM_THREADS": "1"])
        }
        XCTAssertEqual(harness.wait(f.coordinator, timeout: 240), 0, harness.text("\(output)-coordinator.log"))
        for (k, p) in procs.enumerated() {
            XCTAssertEqual(harness.wait(p, timeout: 60), 0, harness.text("\(output)-python-\(k).log"))
            XCTAssertTrue(harness.text("\(output)-python-\(k).log").contains("shutdown: run complete"),
                          harness.text("\(output)-python-\(k).log"))
        }
        let rounds = harness.csv("\(output)/rounds.csv")
        XCTAssertEqual(rounds.count, 3)
        XCTAssertTrue(rounds.allSatisfy { $0["received"] == "4" && $0["rejected"] == "0" }, "\(rounds)")
        return try model("\(output)/model.bin")
    }

    private func checkMixedEqualsSwift(model: String, dataset: String? = nil, clientArguments: [String] = [],
                                       tolerance: Float = 1e-5, mode: String = "fedavg")
    throws -> (swift: [Float], scenario: String) {
        let s = try scenario(model: model, dataset: dataset, mode: mode)
        let allSwift = try federation(s, output: "swift", swift: [0, 1, 2, 3], pythons: [])
        let client = ["-m", "fedsim_client", "--connect", "ENDPOINT"] + clientArguments + ["--ids"]
        let mixed = try federation(s, output: "mixed", swift: [0, 1], pythons: [client + ["2"], client + ["3"]])
        XCTAssertEqual(mixed.count, allSwift.count)
        let gap = zip(mixed, allSwift).map { abs($0 - $1) }.max() ?? .infinity
        let scale = allSwift.map(abs).max() ?? 0
        print("python federation (\(mode), \(model)): max |mixed - all-Swift| = \(gap) over \(allSwift.count) parameters (largest |w| \(scale))")
        XCTAssertLessThan(gap, tolerance, "the numpy clients' updates differ from the Swift clients'")
        XCTAssertGreaterThan(scale, 0.01, "the model moved")
        return (allSwift, s)
    }

    func testNumpyClientsMatchSwiftClientsLogistic() throws {
        _ = try checkMixedEqualsSwift(model: "kind: logistic")
    }

    /// FedSGD with worker momentum: the coordinator keeps each worker's buffer and returns it in
    /// the TASK's state frames; the numpy clients fold their step into it as the Swift ones do.
    func testNumpyClientsMatchSwiftClientsFedSGDWorkerMomentum() throws {
        _ = try checkMixedEqualsSwift(model: "{kind: mlp, hidden: [8]}", mode: "fedsgd")
    }

    /// The CNN (conv, ReLU, max-pool, flatten, dense, ReLU, dropout, dense) on the bundled
    /// digits, which the numpy clients read from the repository's data/digits.csv.gz: numpy
    /// im2col convolutions and dropout masks drawn from the Swift RNG stream give the Swift update.
    func testNumpyClientsMatchSwiftClientsCNNWithDropout() throws {
        _ = try checkMixedEqualsSwift(model: "{kind: cnn, conv: [4], kernel: 3, pool: 2, dense: [16], dropout: 0.25}",
                                      dataset: "{kind: digits, normalize: minmax, test_fraction: 0.5}",
                                      clientArguments: ["--data-root", FedsimHarness.repository + "/data"], tolerance: 3e-6)
    }

    /// FedSGD with worker momentum: one minibatch gradient per round, its dropout masks from
    /// derive(seed, "dropout", round, client), folded into the worker's buffer.
    func testNumpyClientsMatchSwiftClientsCNNWithDropoutFedSGD() throws {
        _ = try checkMixedEqualsSwift(model: "{kind: cnn, conv: [4], kernel: 3, pool: 2, dense: [16], dropout: 0.25}",
                                      dataset: "{kind: digits, normalize: minmax, test_fraction: 0.5}",
                                      clientArguments: ["--data-root", FedsimHarness.repository + "/data"], tolerance: 3e-6,
                                      mode: "fedsgd")
    }

    /// A free-form `layers:` model with what the CNN kind does not use: padding, a strided
    /// convolution, average pooling at stride 1 (overlapping windows).
    func testNumpyClientsMatchSwiftClientsLayersWithPaddingAndAvgPool() throws {
        _ = try checkMixedEqualsSwift(model: "{kind: layers, layers: [{conv: 3, kernel: 3, padding: 1}, relu, "
                                          + "{conv: 4, kernel: 3, stride: 2}, relu, {avgpool: 2, stride: 1}, flatten]}",
                                      dataset: "{kind: digits, normalize: minmax, test_fraction: 0.5}",
                                      clientArguments: ["--data-root", FedsimHarness.repository + "/data"], tolerance: 3e-6)
    }

    /// Swift, numpy and PyTorch clients in one federation. Needs an interpreter with torch
    /// (FEDSIM_TORCH_PYTHON, with python/ installed); scripts/test does not install torch.
    func testSwiftNumpyAndTorchClientsMatchAllSwift() throws {
        guard let torch = ProcessInfo.processInfo.environment["FEDSIM_TORCH_PYTHON"] else {
            throw XCTSkip("FEDSIM_TORCH_PYTHON is not set: the PyTorch federation test is skipped (set it to a Python "
                          + "with torch, pyzmq, numpy and python/ installed)")
        }
        let s = try scenario(model: "{kind: mlp, hidden: [8]}")
        let allSwift = try federation(s, output: "swift", swift: [0, 1, 2, 3], pythons: [])
        let mixed = try federation(s, output: "mixed", swift: [0, 1], pythons: [
            ["-m", "fedsim_client", "--connect", "ENDPOINT", "--ids", "2"],
            [FedsimHarness.repository + "/python/examples/torch_client.py", "ENDPOINT", "3"],
        ], torch: torch)
        let gap = zip(mixed, allSwift).map { abs($0 - $1) }.max() ?? .infinity
        print("python federation (swift + numpy + torch): max |mixed - all-Swift| = \(gap) over \(allSwift.count) parameters")
        print(harness.text("mixed/rounds.csv"))
        XCTAssertLessThan(gap, 1e-5)
    }

    func testNumpyClientsMatchSwiftClientsMLPAndSignFlipIsAggregated() throws {
        let (honest, s) = try checkMixedEqualsSwift(model: "{kind: mlp, hidden: [8]}")
        let example = FedsimHarness.repository + "/python/examples/sign_flip.py"
        let flipped = try federation(s, output: "flip", swift: [0, 1, 2], pythons: [[example, "ENDPOINT", "3", "2"]])
        let gap = zip(flipped, honest).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(gap, 1e-3, "the sign-flipped update changed the aggregate")
    }
}
