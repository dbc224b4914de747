/// Building blocks of the self-contained XHTML reports: the page shell with its inline style,
/// tables and preformatted text. Everything is escaped here; callers pass plain text.
enum HTMLDocument {
    /// A whole page: XHTML that XML parsers read (every tag closed, no named entities but the
    /// five XML ones), with the style inline and nothing loaded from elsewhere.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="generator" content="fedsim report"/>
        <title>\(XMLText.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    static let style = """
        body { margin: 0; background: #f6f7f9; color: #1f2328; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 64px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 18px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
        h3 { font-size: 15px; margin: 20px 0 6px; }
        p.lead { color: #57606a; margin-top: 0; }
        p.note { color: #57606a; font-size: 13px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
        svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
        .charts svg.chart { width: 100%; }
        .pair { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
        .pair svg.chart { max-width: none; }
        .wide, .pair { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; background: #fff; margin: 8px 0; font-size: 13px; }
        th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.best td { font-weight: 600; }
        td.bad, span.bad { color: #b42318; }
        .scroll { overflow-x: auto; max-width: 100%; }
        table.compare-csv td, table.compare-csv th { white-space: nowrap; padding: 3px 6px; font-size: 12px; }
        pre { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px; overflow-x: auto; font-size: 12px; line-height: 1.4; }
        dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0; }
        dl.facts dt { color: #57606a; }
        dl.facts dd { margin: 0; font-weight: 600; }
        table.threats td.num { white-space: nowrap; }
        .panel { margin: 8px 0 16px; }
        p.panel-title { margin: 0 0 4px; font-weight: 600; font-size: 13px; }
        .images { display: flex; flex-wrap: wrap; gap: 8px; }
        .images figure { margin: 0; text-align: center; font-size: 11px; color: #57606a; }
        .images img { display: block; image-rendering: pixelated; border: 1px solid #d0d7de; background: #fff; }
        """

    /// A table with a header row; `numeric` columns are right-aligned; `rowClass` may give a
    /// row a class (e.g. "best").
    static func table(header: [String], rows: [[String]], numeric: Set<Int> = [], cssClass: String? = nil,
                      rowClass: (Int) -> String? = { _ in nil }) -> String {
        var s = "<div class=\"scroll\"><table\(cssClass.map { " class=\"\(XMLText.escape($0))\"" } ?? "")><thead><tr>"
        s += header.map { "<th>\(XMLText.escape($0))</th>" }.joined()
        s += "</tr></thead><tbody>"
        for (r, row) in rows.enumerated() {
            s += "<tr\(rowClass(r).map { " class=\"\(XMLText.escape($0))\"" } ?? "")>"
            for (c, field) in row.enumerated() {
                s += numeric.contains(c) ? "<td class=\"num\">" : "<td>"
                s += XMLText.escape(field) + "</td>"
            }
            s += "</tr>"
        }
        return s + "</tbody></table></div>\n"
    }

    /// Preformatted text (a YAML file), or a note when it is missing.
    static func pre(_ text: String?, missing: String) -> String {
        guard let text else { return paragraph(missing, cssClass: "note") }
        return "<pre>\(XMLText.escape(text))</pre>\n"
    }

    static func paragraph(_ text: String, cssClass: String? = nil) -> String {
        "<p\(cssClass.map { " class=\"\($0)\"" } ?? "")>\(XMLText.escape(text))</p>\n"
    }

    static func heading(_ level: Int, _ text: String, id: String? = nil) -> String {
        "<h\(level)\(id.map { " id=\"\(XMLText.escape($0))\"" } ?? "")>\(XMLText.escape(text))</h\(level)>\n"
    }

    /// A definition list of key facts.
    static func facts(_ pairs: [(String, String)]) -> String {
        "<dl class=\"facts\">" + pairs.map { "<dt>\(XMLText.escape($0.0))</dt><dd>\(XMLText.escape($0.1))</dd>" }.joined()
            + "</dl>\n"
    }
}
