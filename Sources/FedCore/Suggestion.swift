/// "Did you mean ...?" for a mistyped name: the closest allowed name by edit distance.
///
/// The distance is the optimal-string-alignment form of Damerau-Levenshtein (insertions,
/// deletions, substitutions and swaps of two neighbours each cost 1), compared without case.
/// A name is suggested only when it is close enough to be the likely intent: at most
/// `max(1, length / 3)` edits for the typed word (so `rn` -> `run`, `krun` -> `run`,
/// `rouds` -> `rounds`, but no suggestion for `xyz`), or when the typed word is a prefix of
/// exactly one allowed name (`eval` -> `evaluate`). Ties go to the earlier name in `allowed`.
public enum Suggestion {
    /// The allowed name the user most likely meant, or nil when none is close.
    public static func closest(to word: String, among allowed: [String]) -> String? {
        let typed = word.lowercased()
        guard !typed.isEmpty, !allowed.contains(word) else { return nil }
        var best: (name: String, distance: Int)?
        for name in allowed {
            let d = distance(typed, name.lowercased())
            if d < (best?.distance ?? Int.max) { best = (name, d) }
        }
        if let best, best.distance <= max(1, typed.count / 3) { return best.name }
        let prefixed = allowed.filter { $0.lowercased().hasPrefix(typed) }
        return prefixed.count == 1 && typed.count >= 3 ? prefixed[0] : nil
    }

    /// " did you mean X?" to append to a message, or "" when nothing is close.
    public static func hint(for word: String, among allowed: [String]) -> String {
        closest(to: word, among: allowed).map { " did you mean \($0)?" } ?? ""
    }

    /// The optimal-string-alignment distance between `a` and `b` (edits of one character,
    /// and swaps of two neighbours, each cost 1).
    public static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a), t = Array(b)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[s.count][t.count]
    }
}
