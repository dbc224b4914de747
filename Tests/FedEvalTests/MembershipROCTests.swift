@testable import FedEval
import FedCore
import XCTest

final class MembershipROCTests: XCTestCase {
    /// Hand-computed tables: AUC by counting pairs (ties ½), advantage as the largest TPR − FPR
    /// over the vertices, balanced accuracy ½(1 + advantage).
    func testLiteralTables() {
        let cases: [(name: String, members: [Double], nonMembers: [Double], auc: Double, advantage: Double)] = [
            // docs/ALGORITHMS.md 10.2: losses {0.1, 0.2, 0.4} against {0.3, 0.5, 0.6}, score = -loss;
            // 0.4 loses to 0.3 only: 8/9. Threshold between -0.2 and -0.3: TPR 2/3, FPR 0.
            ("check values", [-0.1, -0.2, -0.4], [-0.3, -0.5, -0.6], 8.0 / 9, 2.0 / 3),
            ("perfect separation", [3, 2], [1, 0], 1, 1),
            ("reversed", [0, 1], [2, 3], 0, 0),
            ("all tied", [1, 1], [1, 1], 0.5, 0),
            // Pairs: 2>1, 2>0, 1=1 (½), 1>0: 3.5/4. Vertices (0,0) (0,½) (½,1) (1,1): advantage ½.
            ("one tie", [2, 1], [1, 0], 0.875, 0.5),
            // Unbalanced sizes: 5 beats all 3, 1 beats 0 only: (3 + 1)/6; vertices (0,½) best.
            ("unbalanced", [5, 1], [4, 2, 0], 4.0 / 6, 0.5),
        ]
        for c in cases {
            let roc = MembershipROC(members: c.members, nonMembers: c.nonMembers)
            XCTAssertEqual(roc.auc, c.auc, accuracy: 1e-12, c.name)
            XCTAssertEqual(roc.advantage, c.advantage, accuracy: 1e-12, c.name)
            XCTAssertEqual(roc.balancedAccuracy, 0.5 * (1 + c.advantage), accuracy: 1e-12, c.name)
            XCTAssertEqual(roc.vertices.first?.fpr, 0, c.name)
            XCTAssertEqual(roc.vertices.last?.tpr, 1, c.name)
        }
        let tie = MembershipROC(members: [2, 1], nonMembers: [1, 0])
        XCTAssertEqual(tie.vertices.map(\.fpr), [0, 0, 0.5, 1])
        XCTAssertEqual(tie.vertices.map(\.tpr), [0, 0.5, 1, 1])
    }

    /// The mid-rank AUC equals the pair count on random scores with many ties.
    func testAUCMatchesPairCountWithTies() {
        var rng = SeededRNG(seed: 13)
        for _ in 0..<20 {
            let m = (0..<(1 + rng.nextInt(below: 30))).map { _ in Double(rng.nextInt(below: 6)) }
            let u = (0..<(1 + rng.nextInt(below: 30))).map { _ in Double(rng.nextInt(below: 6)) }
            var pairs = 0.0
            for a in m { for b in u { pairs += a > b ? 1 : (a == b ? 0.5 : 0) } }
            XCTAssertEqual(MembershipROC(members: m, nonMembers: u).auc, pairs / Double(m.count * u.count), accuracy: 1e-12)
        }
    }

    /// 200 non-members at scores 0...199; members 300 and 250 above all, 198 tied with one
    /// non-member, 100.5 in the middle. Vertices: (0, ¼) (0, ½) (0.005, ½) [199]
    /// (0.01, ¾) [the tie at 198: one member, one non-member], ...
    /// TPR at 1% = ¾; at 0.75% halfway up the tie's diagonal = 5/8; 0.1% needs 1,000 non-members.
    func testTPRAtLowFPRInterpolatesAndKnowsWhenItIsNotMeasurable() {
        let nonMembers = (0..<200).map(Double.init)
        let roc = MembershipROC(members: [300, 250, 198, 100.5], nonMembers: nonMembers)
        XCTAssertEqual(roc.tpr(atFPR: 0.01) ?? -1, 0.75, accuracy: 1e-12)
        XCTAssertEqual(roc.tpr(atFPR: 0.0075) ?? -1, 0.625, accuracy: 1e-12)
        XCTAssertEqual(roc.tpr(atFPR: 0.005) ?? -1, 0.5, accuracy: 1e-12)
        XCTAssertNil(roc.tpr(atFPR: 0.001))
        XCTAssertEqual(roc.tpr(atFPR: 1) ?? -1, 1)

        // 1,000 non-members: 0.1% is one step; two of three members lie above every non-member.
        let wide = MembershipROC(members: [2000, 999.5, 500], nonMembers: (0..<1000).map(Double.init))
        XCTAssertEqual(wide.tpr(atFPR: 0.001) ?? -1, 2.0 / 3, accuracy: 1e-12)
        // Reversed: no member before the first non-member, so TPR at 1% FPR is 0.
        let reversed = MembershipROC(members: [-1, -2], nonMembers: nonMembers)
        XCTAssertEqual(reversed.tpr(atFPR: 0.01), 0)
    }
}
