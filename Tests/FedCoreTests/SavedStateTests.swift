@testable import FedCore
import Foundation
import XCTest

/// Saved state round-trips bit for bit through JSON, with Float vectors packed as base64.
final class SavedStateTests: XCTestCase {
    func testRoundTripIsExactAndPacked() throws {
        let tricky: [Float] = [0, -0.0, 1, -1.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1, .leastNormalMagnitude / 4]  // the last one subnormal
        let state = SavedState(vectors: ["centre": tricky], perClient: ["buffer": [3: tricky, 0: [2]]], numbers: ["rdp": [0.5, 1e-300]])
        let json = try JSONEncoder().encode(state)
        let text = String(decoding: json, as: UTF8.self)
        // One string: base64 of the little-endian Float32 bytes (JSON escapes its slashes).
        var bytes: [UInt8] = []
        for v in tricky { let b = v.bitPattern; bytes += [0, 8, 16, 24].map { UInt8((b >> $0) & 0xff) } }
        let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: "\\/")
        XCTAssertEqual(expected.count, 48)     // 44 characters and four escaped slashes
        XCTAssertTrue(text.contains("\"centre\":\"\(expected)\""), text)
        let back = try JSONDecoder().decode(SavedState.self, from: json)
        XCTAssertEqual(back.vectors["centre"]?.map(\.bitPattern), tricky.map(\.bitPattern))
        XCTAssertEqual(back.perClient["buffer"]?[3]?.map(\.bitPattern), tricky.map(\.bitPattern))
        XCTAssertEqual(back, state)
    }

    func testArraysAreReadAndDamageIsRefused() throws {
        let old = #"{"vectors":{"c":[1,2.5]},"perClient":{},"numbers":{}}"#
        XCTAssertEqual(try JSONDecoder().decode(SavedState.self, from: Data(old.utf8)).vectors["c"], [1, 2.5])
        for bad in [#"{"vectors":{"c":"AAA"},"perClient":{},"numbers":{}}"#,      // 2 bytes, not a multiple of 4
                    #"{"vectors":{"c":"not base64!"},"perClient":{},"numbers":{}}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(SavedState.self, from: Data(bad.utf8)), bad)
        }
    }
}
