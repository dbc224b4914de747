import Foundation
import Yams

/// A value set into a scenario from another YAML file (a comparison's attack, defense or
/// `overrides:` entry) instead of from `--set` text: errors under `path` are placed at the
/// value's own nodes in `file` and name `shownPath` (`attacks[0]`) instead of `path`.
// @unchecked: Yams' `Node` is a value type but is not marked Sendable (its `Tag` is a class);
// a graft's nodes are composed once and then only read.
struct ScenarioGraft: @unchecked Sendable {
    /// Where the value goes in the scenario, e.g. `["defense"]`.
    var path: [String]
    /// The value, as composed from `file` (its nodes carry `file`'s line and column).
    var value: Node
    var file: String
    /// The key path of the value in `file`, e.g. `["defenses", "[2]"]`.
    var shownPath: [String]
    /// Segments right below `path` that the entry does not write (`aggregator` of a defense
    /// entry given as `{kind: krum, f: 4}`): left out of the shown key path.
    var hidden: [String] = []
    /// Where errors go whose node has no place in `file` (a node the entry did not write).
    var mark: Mark?

    init(path: [String], value: Node, file: String, shownPath: [String], hidden: [String] = [], mark: Mark? = nil) {
        self.path = path
        self.value = value
        self.file = file
        self.shownPath = shownPath
        self.hidden = hidden
        self.mark = mark ?? value.mark
    }

    /// `path` (at or below the graft's path) as named in `file`.
    func shown(_ scenarioPath: [String]) -> [String] {
        var rest = Array(scenarioPath.dropFirst(path.count))
        if !hidden.isEmpty, rest.starts(with: hidden) { rest.removeFirst(hidden.count) }
        return shownPath + rest
    }
}

/// What every reader of one scenario shares: the file name for messages, the folder that
/// relative paths resolve against, and which key paths came from `--set` overrides.
final class ScenarioSource {
    /// The scenario file as the user named it (used verbatim in messages).
    let file: String
    /// Absolute folder that relative dataset paths resolve against.
    let baseDirectory: String
    /// Key paths set (or created) by overrides, with the override text (or, for a value taken
    /// from another file, where it came from); later entries win.
    private(set) var overridden: [(path: [String], text: String, graft: ScenarioGraft?)] = []

    init(file: String, baseDirectory: String) {
        self.file = file
        self.baseDirectory = ScenarioSource.absolute(baseDirectory, relativeTo: FileManager.default.currentDirectoryPath)
    }

    func markOverridden(_ path: [String], by text: String, graft: ScenarioGraft? = nil) {
        overridden.append((path, text, graft))
    }

    /// An error at `path`, placed at `node`'s line in the file, or at the override that set it.
    func error(_ path: [String], at node: Node?, _ message: String) -> ScenarioError {
        let keyPath = ScenarioSource.render(path)
        if let last = overridden.last(where: { path.starts(with: $0.path) }) {
            guard let graft = last.graft else {
                return ScenarioError(file: "--set \(last.text)", keyPath: keyPath, message: message)
            }
            // A value from another file (a comparison's entry): its nodes keep that file's marks.
            let mark = node?.mark ?? graft.mark
            return ScenarioError(file: graft.file, line: mark?.line, column: mark?.column,
                                 keyPath: ScenarioSource.render(graft.shown(path)), message: message)
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
