import FedEval
import Foundation

/// evaluation.json: the images of the last threat evaluation that made any (originals and
/// reconstructions of the inversion attacks), replaced at every evaluation; the report draws them.
public struct EvaluationImages: Codable, Sendable, Equatable {
    public static let fileName = "evaluation.json"

    /// The round whose global model they come from.
    public var round: Int
    public var panels: [Panel]

    /// A titled row of images (values in [0, 1], channel-major `[C, H, W]`), one caption each.
    public typealias Panel = ImagePanel

    public init(round: Int, panels: [Panel]) {
        self.round = round
        self.panels = panels
    }

    /// Written atomically into the run folder `directory`.
    public func write(to directory: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var json = try e.encode(self)
        json.append(0x0A)
        try AtomicFile.write(json, to: directory + "/" + Self.fileName)
    }

    /// Reads the run folder's file; nil when there is none; a damaged one is an error naming it.
    public static func read(from directory: String) throws -> EvaluationImages? {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let images = try JSONDecoder().decode(EvaluationImages.self, from: data)
            for p in images.panels {
                let size = p.shape.reduce(1, *)
                guard p.shape.count == 3, size > 0, p.images.allSatisfy({ $0.count == size }),
                      p.captions.count == p.images.count else {
                    throw ReportError.malformed(path, "panel \"\(p.title)\" does not match its shape \(p.shape)")
                }
            }
            return images
        } catch let e as ReportError {
            throw e
        } catch {
            throw ReportError.malformed(path, FileErrorText.describe(error))
        }
    }
}
