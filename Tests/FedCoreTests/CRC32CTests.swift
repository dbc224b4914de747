import FedCore
import XCTest

/// CRC-32C against published check values (RFC 3720 appendix B.4, the CRC catalogue's
/// "123456789") and TFRecord's masked values as TensorBoard's own `masked_crc32c` gives them.
final class CRC32CTests: XCTestCase {
    func testKnownVectors() {
        let table: [([UInt8], UInt32)] = [
            (Array("123456789".utf8), 0xE306_9283),
            ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            ((0..<32).map { UInt8($0) }, 0x46DD_794E),
            ((0..<32).map { UInt8(31 - $0) }, 0x113F_DB5C),
            ([], 0),
        ]
        for (bytes, expected) in table {
            XCTAssertEqual(CRC32C.checksum(bytes), expected, "\(bytes.prefix(4))... (\(bytes.count) bytes)")
        }
    }

    func testMaskedValuesMatchTensorBoard() {
        // tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c
        XCTAssertEqual(CRC32C.masked(CRC32C.checksum(Array("123456789".utf8))), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.masked(CRC32C.checksum([UInt8](repeating: 0, count: 8))), 0x0798_0329)
        XCTAssertEqual(CRC32C.masked(CRC32C.checksum([10, 0, 0, 0, 0, 0, 0, 0])), 0x3ABF_A3AE)
    }
}
