#if canImport(Glibc)
import Glibc
#endif

/// Where the label is in each row of a CSV file, and how its values become classes.
public struct CSVLabels: Sendable, Equatable {
    /// The label's column: the last (the default), a 0-based index, or a name in the header.
    public enum Column: Sendable, Equatable {
        case last
        case index(Int)
        case name(String)
    }

    /// How label values become classes.
    public enum Mode: String, CaseIterable, Sendable {
        /// Non-negative integers are the classes themselves (`classes = max label + 1`).
        case integer
        /// Any text: each distinct label is a class, in sorted order (numerically when every
        /// label is a number, else by the bytes of the text), recorded as the class names.
        case auto
    }

    public var column: Column
    public var mode: Mode

    public init(column: Column = .last, mode: Mode = .integer) {
        self.column = column
        self.mode = mode
    }
}

/// Loads a labelled dataset from CSV text: one sample per row, features and one label column.
///
/// Format rules (docs/SCENARIOS.md, "Your own CSV data"):
/// - The label is the last column unless `label_column` names another (by 0-based index, or
///   by its name in the header). Every other column is a feature, in file order.
/// - `labels: integer` (the default): the label must be a non-negative integer (`7`; an
///   integral decimal such as `7.0`, as pandas writes, is accepted); `classes = max label + 1`.
///   `labels: auto`: any text; the distinct labels sorted (numerically when all are numbers,
///   else by their UTF-8 bytes) are classes 0, 1, ...; their names are kept (`classNames`).
/// - An optional header line is detected automatically: if the first non-blank line has a
///   feature value that is not a number (or, with integer labels, any such value), it is a
///   header and is skipped. A label column given by name needs the header.
/// - Blank lines are skipped; `\r\n` line ends, a UTF-8 byte-order mark, spaces around values
///   and double quotes around a value are tolerated (no commas inside quotes).
/// - Every row must have the same number of values as the first data row; every feature must
///   be a finite number (`nan` and `inf` are rejected with the line and column).
/// - The file may be gzipped (detected by its magic bytes, not its name).
///
/// Errors name the file and the 1-based physical line ("data/x.csv:17: expected 65 values,
/// got 64"). Parsing works on the raw bytes (no `String` per field, except labels with
/// `labels: auto`): numbers take a correctly-rounded fast path (Clinger 1990: an integer
/// mantissa below 2^53 times an exact power of ten up to 10^22) and fall back to `strtod`
/// otherwise, so 70,000 x 785 MNIST-as-CSV parses in a few seconds.
public enum CSVLoader {
    /// Reads and parses the (possibly gzipped) CSV file at `path`. The dataset is named
    /// `"csv:<path>"`.
    public static func load(path: String, labels: CSVLabels = CSVLabels()) throws -> Dataset {
        let bytes = try Gzip.readMaybeCompressed(path)
        return try parse(bytes: bytes, name: path, datasetName: "csv:\(path)", labels: labels)
    }

    /// Parses CSV `text`; `name` names the source in errors and becomes the dataset's name.
    public static func parse(text: String, name: String, labels: CSVLabels = CSVLabels()) throws -> Dataset {
        try parse(bytes: Array(text.utf8), name: name, datasetName: name, labels: labels)
    }

    /// Parses CSV bytes; `name` is used in error messages.
    static func parse(bytes: [UInt8], name: String, datasetName: String, labels spec: CSVLabels = CSVLabels()) throws -> Dataset {
        var features = [Float]()
        var labels = [Int32]()
        var labelTexts = [String]()   // labels: auto, one per row, mapped at the end
        var width = -1            // values per row (features + label), fixed by the first data row
        var labelAt = -1          // the label's column in each row
        var maxLabel: Int64 = -1
        var sawFirstLine = false
        var row = [Double]()
        var bounds = [(Int, Int)]()   // each field's byte range in the line
        let auto = spec.mode == .auto

        try bytes.withUnsafeBufferPointer { buf in
            let n = buf.count
            var pos = 0
            if n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { pos = 3 }
            var line = 0
            while pos < n {
                line += 1
                var end = pos
                while end < n && buf[end] != UInt8(ascii: "\n") { end += 1 }
                let lineStart = pos
                var lineEnd = end
                pos = end + 1
                if lineEnd > lineStart && buf[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if isBlank(buf, lineStart, lineEnd) { continue }

                // Split into fields.
                bounds.removeAll(keepingCapacity: true)
                var fieldStart = lineStart
                while true {
                    var fieldEnd = fieldStart
                    while fieldEnd < lineEnd && buf[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
                    bounds.append((fieldStart, fieldEnd))
                    if fieldEnd >= lineEnd { break }
                    fieldStart = fieldEnd + 1
                }

                if !sawFirstLine {
                    sawFirstLine = true
                    // The label's column, from the first line (a header, or the first data row).
                    switch spec.column {
                    case .last: labelAt = bounds.count - 1
                    case let .index(i):
                        guard i < bounds.count else {
                            throw DataError.columnIndex(file: name, line: line, index: i, columns: bounds.count)
                        }
                        labelAt = i
                    case let .name(column):
                        let names = bounds.map { unquoted(fieldText(buf, $0.0, $0.1, limit: Int.max)) }
                        let numeric = bounds.allSatisfy { parseNumber(buf, $0.0, $0.1)?.isFinite == true }
                        if numeric { throw DataError.noHeader(file: name, column: column) }
                        guard let i = names.firstIndex(of: column) else {
                            throw DataError.noSuchColumn(file: name, column: column, columns: names)
                        }
                        labelAt = i
                        continue
                    }
                    let header = bounds.indices.contains { k in
                        (k != labelAt || !auto) && parseNumber(buf, bounds[k].0, bounds[k].1)?.isFinite != true
                    }
                    if header { continue }
                }

                // Parse every feature (and an integer label).
                row.removeAll(keepingCapacity: true)
                var firstBad: (column: Int, text: String)? = nil
                for (k, (s, e)) in bounds.enumerated() {
                    if auto && k == labelAt { row.append(0); continue }
                    if let v = parseNumber(buf, s, e), v.isFinite {
                        row.append(v)
                    } else {
                        if firstBad == nil { firstBad = (k + 1, fieldText(buf, s, e)) }
                        row.append(.nan)
                    }
                }
                if width < 0 {
                    width = row.count
                    if width < 2 { throw DataError.noFeatures(file: name, line: line) }
                    if labelAt >= width { throw DataError.columnIndex(file: name, line: line, index: labelAt, columns: width) }
                    // Reserve from the size of this first row (a cheap estimate of the row count).
                    let estimatedRows = n / max(1, pos - lineStart)
                    features.reserveCapacity(estimatedRows * (width - 1))
                    labels.reserveCapacity(estimatedRows)
                }
                if row.count != width {
                    throw DataError.rowLength(file: name, line: line, expected: width, got: row.count)
                }
                if let bad = firstBad {
                    if bad.column == labelAt + 1 {
                        throw DataError.badLabel(file: name, line: line, text: bad.text)
                    }
                    throw DataError.badNumber(file: name, line: line, column: bad.column, text: bad.text)
                }
                for j in 0..<width where j != labelAt { features.append(Float(row[j])) }
                if auto {
                    let text = unquoted(fieldText(buf, bounds[labelAt].0, bounds[labelAt].1, limit: Int.max))
                    if text.isEmpty { throw DataError.emptyLabel(file: name, line: line) }
                    labelTexts.append(text)
                    continue
                }
                let y = row[labelAt]
                guard y >= 0, y < Double(maxLabelValue), y == y.rounded(.towardZero) else {
                    throw DataError.badLabel(file: name, line: line,
                                             text: fieldText(buf, bounds[labelAt].0, bounds[labelAt].1))
                }
                labels.append(Int32(y))
                maxLabel = max(maxLabel, Int64(y))
            }
        }
        guard width > 0, !(labels.isEmpty && labelTexts.isEmpty) else { throw DataError.empty(file: name) }
        guard auto else {
            return Dataset(features: features, labels: labels, dimension: width - 1,
                           classes: Int(maxLabel) + 1, name: datasetName)
        }
        let names = classOrder(Set(labelTexts))
        guard names.count <= maxLabelValue else {
            throw DataError.badLabel(file: name, line: 0, text: "\(names.count) distinct labels")
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        var d = Dataset(features: features, labels: labelTexts.map { index[$0] ?? 0 }, dimension: width - 1,
                        classes: names.count, name: datasetName)
        d.classNames = names
        return d
    }

    /// The class order of `labels: auto`: numeric order when every label is a number (so
    /// "2" comes before "10"), else the byte order of the UTF-8 text.
    static func classOrder(_ distinct: Set<String>) -> [String] {
        let numbers = distinct.map { text -> (String, Double?) in
            let bytes = Array(text.utf8)
            return (text, bytes.withUnsafeBufferPointer { parseNumber($0, 0, $0.count) })
        }
        if numbers.allSatisfy({ $0.1?.isFinite == true }) {
            return numbers.sorted { a, b in
                let x = a.1 ?? 0, y = b.1 ?? 0
                return x != y ? x < y : Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8))
            }.map(\.0)
        }
        return distinct.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// A field's text without one pair of surrounding double quotes.
    private static func unquoted(_ text: String) -> String {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }

    /// Labels at or above this are rejected: they would create an absurd number of classes.
    static let maxLabelValue = 1 << 20

    // MARK: - Byte-level helpers

    private static func isSpace(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
    }

    private static func isBlank(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e { if !isSpace(b[i]) { return false }; i += 1 }
        return true
    }

    private static func lastIndex(of c: UInt8, in b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int {
        var i = e - 1
        while i >= s { if b[i] == c { return i }; i -= 1 }
        return s - 1
    }

    /// The field's text, trimmed (for an error message: at most `limit` characters).
    private static func fieldText(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, limit: Int = 40) -> String {
        var (s, e) = (s, e)
        while s < e && isSpace(b[s]) { s += 1 }
        while e > s && isSpace(b[e - 1]) { e -= 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        return text.count > limit ? String(text.prefix(limit)) + "..." : text
    }

    /// Exact powers of ten representable in a Double (10^0 ... 10^22).
    private static let exactPowers: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// Parses the decimal number in `b[s..<e]` (spaces and one pair of double quotes around it
    /// allowed), or returns nil if it is not a number.
    static func parseNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var s = start, e = end
        while s < e && isSpace(b[s]) { s += 1 }
        while e > s && isSpace(b[e - 1]) { e -= 1 }
        if e - s >= 2 && b[s] == UInt8(ascii: "\"") && b[e - 1] == UInt8(ascii: "\"") { s += 1; e -= 1 }
        guard s < e else { return nil }

        // Fast path: [+-]digits[.digits][(e|E)[+-]digits]
        var i = s
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var exp10 = 0
        while i < e, b[i] &- 48 < 10 {
            if significant < 19 {
                mantissa = mantissa * 10 + UInt64(b[i] &- 48)
                if mantissa > 0 { significant += 1 }
            } else {
                exp10 += 1
                significant += 1
            }
            digits += 1; i += 1
        }
        if i < e && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < e, b[i] &- 48 < 10 {
                if significant < 19 {
                    mantissa = mantissa * 10 + UInt64(b[i] &- 48)
                    if mantissa > 0 { significant += 1 }
                    exp10 -= 1
                }
                digits += 1; i += 1
            }
        }
        if digits > 0 && i < e && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < e && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
                expNegative = b[i] == UInt8(ascii: "-"); i += 1
            }
            var expValue = 0
            var expDigits = 0
            while i < e, b[i] &- 48 < 10 {
                if expValue < 100_000 { expValue = expValue * 10 + Int(b[i] &- 48) }
                expDigits += 1; i += 1
            }
            if expDigits == 0 { return nil }
            exp10 += expNegative ? -expValue : expValue
        }
        if digits > 0 && i == e && significant <= 15 && mantissa < (1 << 53) && abs(exp10) <= 22 {
            var v = Double(mantissa)
            v = exp10 >= 0 ? v * exactPowers[exp10] : v / exactPowers[-exp10]
            return negative ? -v : v
        }
        return strtodFallback(b, s, e)
    }

    /// Slow path for long mantissas, large exponents, `nan`, `inf` and the like.
    private static func strtodFallback(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        var text = [CChar](repeating: 0, count: e - s + 1)
        for k in s..<e { text[k - s] = CChar(bitPattern: b[k]) }
        return text.withUnsafeBufferPointer { t -> Double? in
            guard let base = t.baseAddress else { return nil }
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(base, &endPtr)
            guard let stop = endPtr, UnsafePointer(stop) - base == e - s else { return nil }
            return v
        }
    }
}
