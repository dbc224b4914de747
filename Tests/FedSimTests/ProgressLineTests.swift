import FedResults
import XCTest
@testable import FedSim

/// The live line fits every width from 40 to 200 columns, drops fields in the documented
/// order, shows the headline figures that apply, and the comparison's ETA never grows.
final class ProgressLineTests: XCTestCase {
    /// A round with every optional figure: ASR, epsilon, detection, rejections.
    private func record(round: Int = 17, asr: Double? = 0.9812, epsilon: Double? = 3.2109,
                        malicious: [Bool] = [true, true, true, false, false, false, false, false]) -> RoundRecord {
        let selected = malicious.map { !$0 }
        var r = RoundRecord(round: round, testAccuracy: 0.912345, testLoss: 0.30112, trainLoss: 0.25, sampled: 250,
                            received: 248, rejected: 2, rejectReasons: ["stale_round": 2], applied: true,
                            aggregationMilliseconds: 3, roundMilliseconds: 900, attackSuccessRate: asr,
                            maliciousSampled: 3, maliciousReceived: 3, clients: [],
                            detection: Detection(selected: selected, weights: selected.map { $0 ? 0.2 : 0 }, malicious: malicious))
        r.epsilon = epsilon
        return r
    }

    func testTheLineNeverExceedsTheWidth() {
        let lines = [ProgressLine.round(record(), total: 1000, elapsed: 4000, eta: 90000),
                     ProgressLine.round(record(asr: nil, epsilon: nil), total: 20, elapsed: 3, eta: 1),
                     CompareETA.line(done: 12, of: 330, eta: 4321,
                                     running: ["alie--krum--seed1 r12", "min-max--centered-clipping--seed3 r29"])]
        for line in lines {
            for width in 40...200 {
                let text = line.render(width: width)
                XCTAssertLessThanOrEqual(text.count, width - 1, "width \(width): \(text)")
                XCTAssertFalse(text.contains("\n") || text.contains("\u{1B}"), text)
            }
            XCTAssertLessThanOrEqual(line.render(width: 5).count, 4)
        }
    }

    func testFieldsGoInTheDocumentedOrder() {
        let line = ProgressLine.round(record(), total: 30, elapsed: 75, eta: 50)
        let wide = line.render(width: 300)
        XCTAssertEqual(wide, "round 17/30  ███████████·········  acc 0.9123  asr 0.981  eps 3.21  kept out 3/3  loss 0.3011  "
                       + "updates 248/250 (2 rejected)  elapsed 1:15  eta 0:50")
        // Narrowing: bar, elapsed, loss, updates, eta, kept out, eps, asr go, in that order.
        let order = ["███", "elapsed", "loss", "updates", "eta", "kept out", "eps", "asr"]
        var gone: [String] = []
        for width in (10...300).reversed() {
            let text = line.render(width: width)
            for field in order where !gone.contains(field) && !text.contains(field) { gone.append(field) }
        }
        XCTAssertEqual(gone, order)
        XCTAssertEqual(line.render(width: 80), "round 17/30  acc 0.9123  asr 0.981  eps 3.21  kept out 3/3  eta 0:50")
        XCTAssertEqual(line.render(width: 40), "round 17/30  acc 0.9123  asr 0.981")
        XCTAssertEqual(line.render(width: 20), "round 17/30  acc 0…")
    }

    func testOnlyTheFiguresThatApplyAreShown() {
        // No attack metric, no privacy, no malicious update arrived: none of the three.
        let plain = ProgressLine.round(record(asr: nil, epsilon: nil, malicious: [false, false]), total: 30, elapsed: 1, eta: 1)
            .render(width: 300)
        for absent in ["asr", "eps", "kept out"] { XCTAssertFalse(plain.contains(absent), plain) }
        var r = record()
        r.detection = nil   // a rule that makes no per-client decision
        XCTAssertFalse(ProgressLine.round(r, total: 30, elapsed: 1, eta: 1).render(width: 300).contains("kept out"))
    }

    func testThePlainLineHasEveryFigureAndNoEscapes() {
        let text = ProgressLine.plainRound(record(), total: 30, elapsed: 75.25, eta: 50)
        XCTAssertEqual(text, "round 17/30 accuracy=0.9123 asr=0.9812 epsilon=3.211 kept_out=3/3 loss=0.3011 "
                       + "received=248/250 rejected=2 elapsed=75.2s eta=50.0s")
    }

    func testTERMDecidesBetweenLiveAndPlain() {
        XCTAssertFalse(Terminal.acceptsEscapes(term: "dumb"))
        XCTAssertFalse(Terminal.acceptsEscapes(term: nil))
        XCTAssertFalse(Terminal.acceptsEscapes(term: ""))
        XCTAssertTrue(Terminal.acceptsEscapes(term: "xterm-256color"))
        XCTAssertTrue(Terminal.acceptsEscapes(term: "screen"))
    }

    func testTheComparisonETACountsDownBetweenCells() {
        var eta = CompareETA()
        XCTAssertNil(eta.remaining(elapsed: 5))
        eta.cellFinished(done: 2, of: 10, elapsed: 20)     // 10 s a cell, 8 cells left: 80 s
        var last = Double.infinity
        for t in stride(from: 20.0, through: 200, by: 7) {  // cells running, none finished: never grows
            let left = eta.remaining(elapsed: t) ?? -1
            XCTAssertLessThanOrEqual(left, last)
            XCTAssertGreaterThanOrEqual(left, 0)
            last = left
        }
        XCTAssertEqual(eta.remaining(elapsed: 50), 50)
        XCTAssertEqual(eta.remaining(elapsed: 500), 0)
        eta.cellFinished(done: 5, of: 10, elapsed: 60)     // 12 s a cell, 5 left: 60 s
        XCTAssertEqual(eta.remaining(elapsed: 60), 60)
    }

    func testClock() {
        XCTAssertEqual(ProgressLine.clock(0), "0:00")
        XCTAssertEqual(ProgressLine.clock(61.4), "1:01")
        XCTAssertEqual(ProgressLine.clock(3725), "1:02:05")
        XCTAssertEqual(ProgressLine.clock(.nan), "0:00")
    }
}
