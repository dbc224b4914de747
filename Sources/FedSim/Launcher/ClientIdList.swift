/// Lists of logical client ids as written on the command line: "0-4,7,9-10".
public enum ClientIdList {
    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "cannot read client ids \"\(text)\"; write ids and ranges such as 0-4,7"
        }
    }

    public static func parse(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 1, let v = Int(bounds[0]), v >= 0 {
                ids.append(v)
            } else if bounds.count == 2, let a = Int(bounds[0]), let b = Int(bounds[1]), a >= 0, a <= b {
                ids.append(contentsOf: a...b)
            } else {
                throw ParseError(text: text)
            }
        }
        guard !ids.isEmpty, Set(ids).count == ids.count else { throw ParseError(text: text) }
        return ids.sorted()
    }

    /// Compact text for sorted ids ("0-4,7").
    public static func format(_ ids: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count && ids[j + 1] == ids[j] + 1 { j += 1 }
            parts.append(i == j ? "\(ids[i])" : "\(ids[i])-\(ids[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// Splits clients 0..<n into `processes` contiguous groups of near-equal size.
    public static func groups(clients n: Int, processes p: Int) -> [[Int]] {
        let p = max(1, min(p, n))
        return (0..<p).map { k in Array((k * n / p)..<((k + 1) * n / p)) }
    }
}
