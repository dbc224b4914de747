import Foundation
import Yams

/// What every reader of one scenario shares: the file name for messages, the folder that
/// relative paths resolve against, and which key paths came from `--set` overrides.
final class ScenarioSource {
    /// The scenario file as the user named it (used verbatim in messages).
    let file: String
    /// Absolute folder that relative dataset paths resolve against.
    let baseDirectory: String
    /// Key paths set (or created) by overrides, with the override text; later entries win.
    private(set) var overridden: [(path: [String], text: String)] = []

    init(file: String, baseDirectory: String) {
        self.file = file
        self.baseDirectory = ScenarioSource.absolute(baseDirectory, relativeTo: FileManager.default.currentDirectoryPath)
    }

    func markOverridden(_ path: [String], by text: String) {
        overridden.append((path, text))
    }

    /// An error at `path`, placed at `node`'s line in the file, or at the override that set it.
    func error(_ path: [String], at node: Node?, _ message: String) -> ScenarioError {
        let keyPath = ScenarioSource.render(path)
        if let text = overridden.last(where: { path.starts(with: $0.path) })?.text {
            return ScenarioError(file: "--set \(text)", keyPath: keyPath, message: message)
        }
        return ScenarioError(file: file, line: node?.mark?.line, column: node?.mark?.column,
                             keyPath: keyPath, message: message)
    }

    /// `["model", "hidden", "[1]"]` -> `model.hidden[1]`.
    static func render(_ path: [String]) -> String {
        var text = ""
        for segment in path {
            if !text.isEmpty && !segment.hasPrefix("[") { text += "." }
            text += segment
        }
        return text
    }

    /// `path` made absolute against `base` (with `~` expanded), `.` and `..` removed.
    static func absolute(_ path: String, relativeTo base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded)
            : URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    /// One-line text for a Yams error, placed in `file` (or in an override's text).
    static func syntaxError(_ error: Error, file: String, yaml: String, keyPath: String = "") -> ScenarioError {
        guard let yamlError = error as? YamlError else {
            return ScenarioError(file: file, keyPath: keyPath, message: "invalid YAML: \(error)")
        }
        let isOverride = file.hasPrefix("--set ")
        func contextText(_ context: YamlError.Context?) -> String {
            guard let context else { return "" }
            // Positions inside an override's value mean nothing to the user: leave them out.
            if isOverride { return "\(context.text): " }
            return "\(context.text) (at \(context.mark.line):\(context.mark.column)): "
        }
        var mark: (line: Int, column: Int)?
        var message: String
        switch yamlError {
        case let .scanner(context, problem, problemMark, _),
             let .parser(context, problem, problemMark, _),
             let .composer(context, problem, problemMark, _):
            mark = (problemMark.line, problemMark.column)
            message = "invalid YAML: " + contextText(context) + problem
        case let .reader(problem, offset, _, _):
            if let offset { mark = lineAndColumn(ofCharacterOffset: offset, in: yaml) }
            message = "cannot read YAML: \(problem)"
        case let .duplicatedKeysInMapping(duplicates, context):
            mark = (context.mark.line, context.mark.column)
            message = "duplicate key " + duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
                + "; each key may appear once in a mapping"
        default:
            message = "invalid YAML: \(yamlError)"
        }
        message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        if isOverride { mark = nil }
        return ScenarioError(file: file, line: mark?.line, column: mark?.column, keyPath: keyPath, message: message)
    }

    private static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
