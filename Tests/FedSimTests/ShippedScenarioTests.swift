@testable import FedSim
import Foundation
import XCTest

/// Every scenario shipped in scenarios/ loads, and each attack scenario mounts the attack its
/// file name says.
final class ShippedScenarioTests: XCTestCase {
    private static let scenarios: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scenarios")
    }()

    private func files(_ folder: String) throws -> [URL] {
        let dir = ShippedScenarioTests.scenarios.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    func testEveryShippedScenarioLoads() throws {
        let all = try files("") + files("attacks") + files("defenses")
        XCTAssertGreaterThan(all.count, 10)
        for file in all {
            XCTAssertNoThrow(try Scenario.load(path: file.path), file.lastPathComponent)
        }
    }

    func testAttackScenariosCoverEveryAttack() throws {
        var kinds: Set<String> = []
        for file in try files("attacks") {
            let s = try Scenario.load(path: file.path)
            let stem = file.deletingPathExtension().lastPathComponent
            XCTAssertEqual(s.federation.clients, 20, stem)
            kinds.formUnion(s.attacks.map(\.kind))
            if Registry.attack(stem) != nil { XCTAssertEqual(s.attacks.map(\.kind), [stem], stem) }
        }
        XCTAssertEqual(kinds, Set(Registry.attacks.map(\.name)))
    }
}
