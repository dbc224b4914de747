// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fedsim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fedsim", targets: ["fedsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // MARK: - System libraries
        // No pkgConfig for libzmq: Debian's libzmq.pc lists krb5-gssapi in Requires.private, so
        // `pkg-config --cflags libzmq` yields `-isystem /usr/include/mit-krb5`, a flag SwiftPM
        // refuses ("prohibited flag(s)") on every build. zmq.h is in /usr/include and the module
        // map links zmq itself, so nothing from pkg-config is needed.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        /// Tiny C helpers for calls Swift cannot make directly (variadic prctl).
        .target(name: "CSupport"),
        /// Aggregator hot loops (Gram tiles, weighted row sums) with AVX2 / AVX-512 versions
        /// picked at run time; the same numbers from every version.
        .target(name: "CKernels"),

        // MARK: - Modules (dependencies point down)
        .target(name: "FedCore", dependencies: ["CBLAS", "CZlib"]),
        .target(name: "FedRobust", dependencies: ["FedCore", "CBLAS", "CKernels"]),
        .target(name: "FedAttacks", dependencies: ["FedCore"]),
        /// The other threat families measured on the global model: adversarial examples,
        /// membership inference, gradient and model inversion, model extraction.
        .target(name: "FedEval", dependencies: ["FedCore", "CBLAS"]),
        .target(name: "FedWire", dependencies: ["CZeroMQ"]),
        /// The output files' types (summary.json's records, the CSV writer and reader), shared
        /// by the runtime that writes them and the reports that read them.
        .target(name: "FedResults", dependencies: ["FedCore", "FedEval"]),
        .target(name: "FedSim", dependencies: [
            "FedCore", "FedRobust", "FedAttacks", "FedEval", "FedWire", "FedResults", "CSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
        /// Reads run and comparison folders; writes the tables and the HTML/SVG report.
        .target(name: "FedReport", dependencies: ["FedResults", "FedCore"]),
        /// Hostile messages against a coordinator (FedCore only for the seeded generator).
        .target(name: "FedFuzz", dependencies: [
            "FedWire", "FedCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "fedsim", dependencies: [
            "FedSim", "FedReport", "FedFuzz", "FedResults", "FedRobust", "FedCore", "FedWire", "CSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: - Test support (shared by the test targets; like swift-numerics' _TestSupport)
        /// Fixtures and assertions that several test targets use: matrices from literal rows,
        /// seeded random matrices, tolerant comparisons, reference networks, temporary folders.
        .target(name: "FedTestSupport", dependencies: ["FedCore", "CZlib"], path: "Tests/FedTestSupport"),
        /// pidfd_open for the end-to-end harness (a syscall Swift cannot make directly).
        .target(name: "CTestSupport", path: "Tests/CTestSupport"),

        // MARK: - Tests (one target per module, plus end-to-end)
        .testTarget(name: "FedCoreTests", dependencies: ["FedCore", "FedTestSupport"]),
        .testTarget(name: "FedRobustTests", dependencies: ["FedRobust", "FedCore", "CKernels", "FedTestSupport"]),
        .testTarget(name: "FedAttacksTests", dependencies: ["FedAttacks", "FedCore", "FedTestSupport"]),
        .testTarget(name: "FedEvalTests", dependencies: ["FedEval", "FedCore", "FedTestSupport"]),
        .testTarget(name: "FedWireTests", dependencies: ["FedWire", "FedTestSupport"]),
        .testTarget(name: "FedSimTests", dependencies: ["FedSim", "FedWire", "FedResults", "FedTestSupport",
                                                         .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "FedResultsTests", dependencies: ["FedResults", "FedCore"]),
        // FedSim only for the fixtures: rounds.csv and clients.csv with the writer's own headers.
        .testTarget(name: "FedReportTests", dependencies: ["FedReport", "FedResults", "FedSim", "FedEval", "FedCore", "FedTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["FedSim", "FedFuzz", "FedTestSupport", "CTestSupport", "CZeroMQ"]),
    ],
    swiftLanguageModes: [.v6]
)
