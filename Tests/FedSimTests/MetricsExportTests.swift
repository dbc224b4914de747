import FedCore
@testable import FedSim
import XCTest

/// The pieces of `--export` written by hand: protobuf fields, TFRecord framing and the event
/// file, against bytes TensorBoard's own writer produces (its RecordWriter and event_pb2).
final class MetricsExportTests: XCTestCase {
    func testProtobufVarintAndFieldKeys() {
        var w = ProtobufWriter()
        w.varint(1, 300)          // the protobuf documentation's example: 300 = AC 02
        w.varint(2, 0)
        w.string(3, "ab")
        w.float(2, 0.75)
        XCTAssertEqual(w.bytes, [0x08, 0xAC, 0x02, 0x10, 0x00, 0x1A, 0x02, 0x61, 0x62, 0x15, 0x00, 0x00, 0x40, 0x3F])
    }

    func testRecordFramingMatchesTensorBoardsRecordWriter() throws {
        // tensorboard.summary.writer.record_writer.RecordWriter(...).write(b"fedsim")
        let expected: [UInt8] = [6, 0, 0, 0, 0, 0, 0, 0, 115, 105, 213, 55, 102, 101, 100, 115, 105, 109, 101, 64, 95, 13]
        let framed = TFRecord.frame(Array("fedsim".utf8))
        XCTAssertEqual(framed, expected)
        XCTAssertEqual(TFRecord.records(framed + framed), [Array("fedsim".utf8), Array("fedsim".utf8)])
        // One changed byte, in the data or in the length, and the file is refused.
        var corrupt = framed
        corrupt[14] ^= 1
        XCTAssertNil(TFRecord.records(corrupt))
        corrupt = framed
        corrupt[0] = 7
        XCTAssertNil(TFRecord.records(corrupt))
        XCTAssertNil(TFRecord.records(Array(framed.dropLast())))
    }

    func testEventFileHoldsTheVersionThenOneEventPerRound() throws {
        let m = RunMetrics(name: "r", status: "completed", fingerprint: "1", startMs: 1500, endMs: 9000,
                           rounds: [.init(step: 3, timestampMs: 1500,
                                          values: [("test_accuracy", .number(0.75)), ("note", .text("no quorum"))])],
                           parameters: [])
        let records = try XCTUnwrap(TFRecord.records(TensorBoardExport.bytes(m)))
        XCTAssertEqual(records.count, 2)
        // event_pb2.Event(wall_time=1.5, file_version='brain.Event:2').SerializeToString()
        XCTAssertEqual(records[0], [9, 0, 0, 0, 0, 0, 0, 248, 63, 26, 13] + Array("brain.Event:2".utf8))
        // event_pb2.Event(wall_time=1.5, step=3, summary=Summary(value=[Value(tag='test_accuracy',
        // simple_value=0.75)])).SerializeToString(): the text column is not a scalar.
        XCTAssertEqual(records[1], [9, 0, 0, 0, 0, 0, 0, 248, 63, 16, 3, 42, 22, 10, 20, 10, 13]
                       + Array("test_accuracy".utf8) + [21, 0, 0, 64, 63])
    }

    func testJSONLinesKeepWholeNumbersWholeAndEscapeText() {
        let m = RunMetrics(name: "a\"b", status: "completed", fingerprint: "1", startMs: 0, endMs: 10,
                           rounds: [.init(step: 1, timestampMs: 10,
                                          values: [("received", .number(10)), ("test_accuracy", .number(0.8125)),
                                                   ("note", .text("x\ny"))])],
                           parameters: [])
        XCTAssertEqual(JSONLinesExport.text(m),
                       #"{"run": "a\"b", "round": 1, "timestamp_ms": 10, "received": 10, "test_accuracy": 0.8125, "note": "x\ny"}"# + "\n")
        XCTAssertEqual(JSONLinesExport.number(.nan), "null")
    }

    func testFormatsParseAndAnUnknownOneIsNamed() throws {
        XCTAssertEqual(try ExportFormat.parse(["mlflow,jsonl", "tensorboard", "jsonl"]), [.mlflow, .jsonl, .tensorboard])
        XCTAssertThrowsError(try ExportFormat.parse(["wandb"])) {
            XCTAssertEqual("\($0)", "--export wandb: unknown format; allowed: mlflow, tensorboard, jsonl")
        }
    }

    func testMLflowStatusCodes() {
        XCTAssertEqual(["completed", "diverged", "failed", "interrupted"].map(MLflowExport.status), [3, 3, 4, 5])
    }
}
