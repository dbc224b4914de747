import CKernels
import Dispatch
import FedCore
import Foundation
import FedTestSupport
@testable import FedRobust
import XCTest

/// The instruction-set versions of the kernels (`CKernels`: portable C, AVX2 + FMA, AVX-512)
/// must give the same bits, whatever the vector width; and the thread pool must run every
/// task exactly once.
final class KernelISATests: XCTestCase {
    /// Shapes around the kernels' edges: tiles of 3 and 4 rows (AVX2: 4 x 3, AVX-512: 4 x 4),
    /// 16-lane chunks, the 1,024-column Float chunk of the Gram, 8-row groups and 2,048-column
    /// blocks of the combination.
    static let shapes: [(n: Int, d: Int)] = [(1, 1), (2, 15), (3, 16), (4, 33), (5, 17), (6, 1_024), (7, 1_037),
                                             (8, 2_048), (9, 2_049), (10, 4_099), (11, 3_000), (12, 100),
                                             (13, 1_025), (17, 40_001), (23, 16_385)]

    static var versions: [Int32] {
        KernelISA.available.compactMap(KernelISA.code)
    }

    func testTheCPUHasAtLeastThePortableVersion() {
        XCTAssertTrue(KernelISA.available.contains("generic"))
        XCTAssertTrue(KernelISA.available.contains(KernelISA.current), KernelISA.current)
    }

    func testGramIsBitIdenticalInEveryVersion() throws {
        for (n, d) in Self.shapes {
            let m = gaussianMatrix(rows: n, columns: d, seed: UInt64(n * 1_000 + d), std: 3)
            let reference = m.values.withUnsafeBufferPointer {
                GramKernel.gram($0.baseAddress!, rows: n, columns: d, lda: d, isa: Int32(FEDSIM_ISA_GENERIC))
            }
            for isa in Self.versions {
                let g = m.values.withUnsafeBufferPointer {
                    GramKernel.gram($0.baseAddress!, rows: n, columns: d, lda: d, isa: isa)
                }
                XCTAssertEqual(g.map(\.bitPattern), reference.map(\.bitPattern),
                               "Gram n = \(n), d = \(d): \(String(cString: fedsim_isa_name(isa))) differs from generic")
            }
            // And the numbers are right: against a Double computation.
            for i in 0..<n {
                for j in i..<n {
                    var exact = 0.0
                    for c in 0..<d { exact += Double(m.values[i * d + c]) * Double(m.values[j * d + c]) }
                    let scale = 9.0 * Double(d)  // ~ |x_i| |x_j| for unit-variance rows times 3
                    XCTAssertEqual(reference[i * n + j], exact, accuracy: 1e-5 * scale, "G[\(i), \(j)] n = \(n), d = \(d)")
                    XCTAssertEqual(reference[j * n + i], reference[i * n + j])
                }
            }
        }
    }

    /// The Gram of rows written chunk by chunk (`fill`, FoolsGold's fused history update) has
    /// the bits of the Gram of the same rows as one matrix, in every version; `fill` sees
    /// every column exactly once, in chunks of at most 1,024.
    func testFilledGramIsTheGramOfTheRowsFillWrites() {
        for (n, d) in Self.shapes {
            let m = gaussianMatrix(rows: n, columns: d, seed: UInt64(7 * n + d), std: 2)
            for isa in Self.versions {
                let whole = m.values.withUnsafeBufferPointer {
                    GramKernel.gram($0.baseAddress!, rows: n, columns: d, lda: d, isa: isa)
                }
                let seen = Counter(count: d)
                let filled = GramKernel.gram(rows: n, columns: d, isa: isa) { columns, rows in
                    XCTAssertLessThanOrEqual(columns.count, GramKernel.chunk)
                    seen.add(columns)
                    for i in 0..<n {
                        for (c, col) in columns.enumerated() { rows[i * columns.count + c] = m.values[i * d + col] }
                    }
                }
                XCTAssertEqual(filled.map(\.bitPattern), whole.map(\.bitPattern), "n = \(n), d = \(d), isa \(isa)")
                XCTAssertEqual(seen.counts, [Int](repeating: 1, count: d), "n = \(n), d = \(d)")
            }
        }
    }

    /// Columns seen by `fill`, from any thread.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var counts: [Int]
        init(count: Int) { counts = [Int](repeating: 0, count: count) }
        func add(_ r: Range<Int>) {
            lock.lock()
            for c in r { counts[c] += 1 }
            lock.unlock()
        }
    }

    func testCombinationAndDistancesAreBitIdenticalInEveryVersion() {
        for (n, d) in Self.shapes {
            let m = gaussianMatrix(rows: n, columns: d, seed: UInt64(7 + n * d))
            var rng = SeededRNG(seed: UInt64(n))
            // Some zero coefficients (rows skipped), the rest of mixed sign.
            let c = (0..<n).map { i in i % 4 == 3 ? 0 : rng.nextGaussian() }
            let offset = (0..<d).map { Float($0 % 5) - 2 }
            let reference = RowCombination.combine(m, coefficients: c, offset: offset, offsetScale: 0.5,
                                                   isa: Int32(FEDSIM_ISA_GENERIC))
            let referenceDist = RowCombination.combineWithDistances(m, coefficients: c, isa: Int32(FEDSIM_ISA_GENERIC))
            for isa in Self.versions {
                let name = String(cString: fedsim_isa_name(isa))
                let v = RowCombination.combine(m, coefficients: c, offset: offset, offsetScale: 0.5, isa: isa)
                XCTAssertEqual(v.map(\.bitPattern), reference.map(\.bitPattern), "combine n = \(n), d = \(d): \(name)")
                let w = RowCombination.combineWithDistances(m, coefficients: c, isa: isa)
                XCTAssertEqual(w.values.map(\.bitPattern), referenceDist.values.map(\.bitPattern), "\(name) n = \(n), d = \(d)")
                XCTAssertEqual(w.distances.map(\.bitPattern), referenceDist.distances.map(\.bitPattern), "\(name) n = \(n), d = \(d)")
            }
            // Against a Double computation.
            for j in stride(from: 0, to: d, by: max(1, d / 50)) {
                var exact = 0.5 * Double(offset[j])
                for i in 0..<n { exact += c[i] * Double(m.values[i * d + j]) }
                XCTAssertEqual(Double(reference[j]), exact, accuracy: 1e-5 * max(1, abs(exact)), "column \(j)")
            }
        }
    }

    func testSelectRefusesUnknownVersionsWithTheList() {
        XCTAssertThrowsError(try KernelISA.select("sse9")) { error in
            XCTAssertEqual("\(error)", "unknown kernel version 'sse9'; expected one of auto, generic, avx2, avx512")
        }
        XCTAssertThrowsError(try KernelISA.validateEnvironment("fast")) { error in
            XCTAssertTrue("\(error)".hasPrefix("FEDSIM_KERNELS: unknown kernel version 'fast'"), "\(error)")
        }
        XCTAssertNoThrow(try KernelISA.validateEnvironment(nil))
    }

    func testPoolRunsEveryTaskExactlyOnce() {
        for count in [1, 2, 3, 8, 64, 1_000] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
            hits.initialize(repeating: 0, count: count)
            defer { hits.deallocate() }
            let box = UncheckedSendable(hits)
            for _ in 0..<20 {
                Parallel.run(count) { i in box.value[i] += 1 }
            }
            for i in 0..<count { XCTAssertEqual(hits[i], 20, "task \(i) of \(count)") }
        }
    }

    func testPoolCallsFromSeveralThreadsAndNestedCallsAllComplete() {
        let total = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 16)
        total.initialize(repeating: 0, count: 4 * 16)
        defer { total.deallocate() }
        let box = UncheckedSendable(total)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<200 {
                Parallel.run(4) { outer in
                    // A nested call runs on the calling thread.
                    Parallel.run(4) { inner in box.value[caller * 16 + outer * 4 + inner] += 1 }
                }
            }
        }
        for k in 0..<(4 * 16) { XCTAssertEqual(total[k], 200, "slot \(k)") }
    }
}

/// The read pass behind the benchmark's memory floor sums every value.
final class ReadPassTests: XCTestCase {
    func testSumsEveryValueExactlyForSmallIntegers() {
        for (n, d) in [(1, 1), (3, 65), (7, 70_001), (2, 1 << 17)] {
            let values = (0..<(n * d)).map { Float($0 % 11) - 5 }
            let m = UpdateMatrix(rows: n, columns: d, values: values)
            let exact = values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(ReadPass.sum(m), exact, "n = \(n), d = \(d)")
        }
        XCTAssertEqual(ReadPass.sum(UpdateMatrix(rows: 0, columns: 5)), 0)
    }
}
