import Foundation
import XCTest
@testable import FedReport
import FedCore
import FedEval
import FedResults

/// The Threats sections of the run and comparison reports, and the PNG encoder behind their images.
final class ReportThreatsTests: XCTestCase {
    // MARK: - PNG

    /// Adler-32 of "Wikipedia" is 0x11E60398 (RFC 1950's example value as widely quoted);
    /// the empty input's is 1.
    func testAdler32KnownValues() {
        XCTAssertEqual(PNGImage.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(PNGImage.adler32([]), 1)
    }

    /// A 2x1 grey image: signature, IHDR (13 bytes), one IDAT holding a stored block of the two
    /// filtered rows, IEND; each chunk's CRC over its type and data.
    func testPNGStructure() throws {
        let png = [UInt8](PNGImage.encode(width: 2, height: 1, channels: 1, pixels: [0, 255]))
        XCTAssertEqual(Array(png[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [(type: String, data: [UInt8])] = []
        var i = 8
        while i < png.count {
            let n = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(png[(i + 8)..<(i + 8 + n)])
            let stored = png[(i + 8 + n)..<(i + 12 + n)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let crc = Array(png[(i + 4)..<(i + 8 + n)]).withUnsafeBytes { CRC32.checksum($0) }
            XCTAssertEqual(stored, crc, type)
            chunks.append((type, data))
            i += 12 + n
        }
        XCTAssertEqual(chunks.map(\.type), ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(chunks[0].data, [0, 0, 0, 2, 0, 0, 0, 1, 8, 0, 0, 0, 0])
        // zlib header, final stored block of 3 bytes (filter 0, then 0 and 255), Adler-32.
        let adler = PNGImage.adler32([0, 0, 255])
        XCTAssertEqual(chunks[1].data, [0x78, 0x01, 1, 3, 0, 0xFC, 0xFF, 0, 0, 255,
                                        UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)])
    }

    /// Inputs longer than one stored block (65,535 bytes) split into several, the last flagged.
    func testLongStreamsSplitIntoStoredBlocks() {
        let bytes = [UInt8](repeating: 7, count: 70_000)
        let z = PNGImage.zlibStored(bytes)
        XCTAssertEqual(z.count, 2 + 5 + 65_535 + 5 + (70_000 - 65_535) + 4)
        XCTAssertEqual(z[2], 0, "first block not final")
        XCTAssertEqual(z[2 + 5 + 65_535], 1, "second block final")
    }

    // MARK: - Run report

    private func runFolder() throws -> String {
        let dir = try ReportFixtures.temporaryFolder("threats")
        try ReportFixtures.write("""
            round,test_accuracy,adv_pgd_accuracy,adv_pgd_l2,mia_loss_auc,evaluation_ms
            1,0.5,,,,
            2,0.7,0.25,1.5,0.61,120
            3,0.8,0.3,1.25,0.625,100

            """, to: dir + "/rounds.csv")
        let panel = ImagePanel(title: "originals", shape: [1, 2, 2], images: [[0, 0.5, 1, 0.25]], captions: ["7 <&>"])
        try EvaluationImages(round: 3, panels: [panel]).write(to: dir)
        return dir
    }

    func testRunReportShowsEachFamilyAndTheImages() throws {
        let dir = try runFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try RunReportData.load(directory: dir)
        XCTAssertEqual(data.rounds.figureNames, ["adv_pgd_accuracy", "adv_pgd_l2", "mia_loss_auc", "evaluation_ms"])
        let html = HTMLReport.run(data)
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(html), "XMLParser: \(String(describing: probe.error))")
        XCTAssertTrue(probe.text.contains("Adversarial examples"))
        XCTAssertTrue(probe.text.contains("Membership inference"))
        XCTAssertFalse(probe.text.contains("Model extraction"), "no figures, no section")
        XCTAssertTrue(probe.text.contains("after rounds 2, 3"))
        XCTAssertTrue(probe.text.contains("110 ms per evaluated round"))
        // adv_pgd_accuracy is a share: charted; adv_pgd_l2 is not: table only.
        XCTAssertEqual(probe.elements(withClass: "threat-adv").count, 1)
        XCTAssertEqual(probe.elements(withClass: "threats").count, 2)
        let images = probe.elements.filter { $0.name == "img" }
        XCTAssertEqual(images.count, 1)
        XCTAssertEqual(images.first?.attributes["alt"], "7 <&>")
        XCTAssertEqual(images.first?.attributes["width"], "72")
        XCTAssertTrue(images.first?.attributes["src"]?.hasPrefix("data:image/png;base64,iVBORw0KGgo") == true)
    }

    func testRunWithoutEvaluationsHasNoThreatsSection() throws {
        let dir = try ReportFixtures.temporaryFolder("threats-none")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixtures.write("round,test_accuracy\n1,0.5\n", to: dir + "/rounds.csv")
        XCTAssertFalse(HTMLReport.run(try RunReportData.load(directory: dir)).contains("Threats"))
    }

    // MARK: - Comparison report

    func testComparisonThreatTablesAverageTheSeeds() throws {
        let dir = try ReportFixtures.temporaryFolder("threats-compare")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixtures.write("""
            attack,defense,seed,status,final_accuracy,mean_last5_accuracy,attack_success_rate,detection_tpr,detection_fpr,epsilon,wall_seconds,error,mia_loss_auc,ext_agreement_q100
            none,fedavg,1,completed,0.9,,,,,,1,,0.6,0.5
            none,fedavg,2,completed,0.8,,,,,,1,,0.7,
            none,dp,1,completed,0.7,,,,,,1,,0.5,0.25

            """, to: dir + "/compare.csv")
        let r = try ComparisonResults.load(directory: dir)
        XCTAssertEqual(r.cells.first?.evaluations, ["mia_loss_auc": 0.6, "ext_agreement_q100": 0.5])
        let html = HTMLReport.comparison(r)
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(html), "XMLParser: \(String(describing: probe.error))")
        XCTAssertTrue(probe.text.contains("0.65 ± 0.07071"), "mean and std over two seeds")
        XCTAssertTrue(probe.text.contains("Model extraction"))
    }
}

