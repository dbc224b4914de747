/// A problem in a scenario file or a `--set` override, as one line of text.
///
/// `description` is `<file>:<line>:<col>: <key.path>: <what is wrong>; <what is allowed>`.
/// Parts that do not apply are left out: a missing file has no line and no key path
/// (`scenarios/x.yaml: cannot read: No such file or directory`), and an error in an override
/// names the override instead of a file line (`--set federation.rounds=abc: federation.rounds: ...`).
public struct ScenarioError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The scenario file as the user named it, or `--set key.path=value` for an override.
    public var file: String
    /// 1-based line in `file`, when the problem has a place in it.
    public var line: Int?
    /// 1-based column in `file` (counted in Unicode scalars), when `line` is known.
    public var column: Int?
    /// Dotted key path such as `federation.rounds` or `model.hidden[1]`; empty for the whole file.
    public var keyPath: String
    /// What is wrong and, after `; `, what is allowed.
    public var message: String
    /// True when every key and value is valid but the settings together cannot run (an
    /// aggregation rule's bound on n and f, such as `bulyan needs n >= 4f + 3`); a comparison
    /// records such a cell as failed instead of stopping.
    public var isPrecondition: Bool

    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String,
                isPrecondition: Bool = false) {
        self.isPrecondition = isPrecondition
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if !keyPath.isEmpty { text += ": \(keyPath)" }
        return text + ": " + message
    }
}

extension ScenarioError {
    /// The same error reported under another key path (the place stays): for a missing key,
    /// reported at the line of the key that requires it.
    func at(_ keyPath: String) -> ScenarioError {
        var copy = self
        copy.keyPath = keyPath
        return copy
    }
}
