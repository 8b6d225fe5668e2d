/// Charts drawn on the server as inline SVG: no JavaScript, no inline styles (colours come from CSS classes), and a
/// text alternative with the same figures (`<title>` and `<desc>`, referenced by `aria-labelledby`) for screen readers.
/// Values are whole numbers (minor units, megabytes); geometry is computed from them, text is escaped.
public enum SVGChart {
    /// One part of a chart: its label, its value, and a CSS class `k0`…`k5` for its colour.
    public struct Part: Sendable {
        public var label: String
        public var value: Int64
        /// The value as a person reads it ("600,00 ₽").
        public var text: String
        public var colour: Int

        public init(label: String, value: Int64, text: String, colour: Int) {
            self.label = label
            self.value = value
            self.text = text
            self.colour = colour
        }
    }

    /// A thin horizontal bar filled to `value / total` (a package remainder).
    public static func meter(id: String, value: Int64, total: Int64, title: String) -> String {
        let width = 300
        let filled = total > 0 ? Int((Double(max(0, min(value, total))) / Double(total) * Double(width)).rounded()) : 0
        return """
            <svg class="bar" viewBox="0 0 \(width) 10" preserveAspectRatio="none" role="img" aria-labelledby="\(id)-t">\
            <title id="\(id)-t">\(escape(title))</title>\
            <rect class="track" x="0" y="0" width="\(width)" height="10" rx="5"></rect>\
            <rect class="fill" x="0" y="0" width="\(filled)" height="10" rx="5"></rect></svg>
            """
    }

    /// One bar split into its parts (a month's spending by kind); the legend is the caller's (with the same classes).
    public static func stacked(id: String, parts: [Part], title: String) -> String {
        let width = 300
        let total = parts.reduce(Int64(0)) { $0 + max(0, $1.value) }
        var x = 0
        var rects = ""
        for (index, part) in parts.enumerated() where part.value > 0 && total > 0 {
            let last = parts[(index + 1)...].allSatisfy { $0.value <= 0 }
            let w = last ? width - x : Int((Double(part.value) / Double(total) * Double(width)).rounded())
            rects += "<rect class=\"k\(part.colour)\" x=\"\(x)\" y=\"0\" width=\"\(max(0, w))\" height=\"24\"></rect>"
            x += w
        }
        if total == 0 { rects = "<rect class=\"track\" x=\"0\" y=\"0\" width=\"\(width)\" height=\"24\"></rect>" }
        let description = parts.map { "\($0.label): \($0.text)" }.joined(separator: "; ")
        return """
            <svg class="chart" viewBox="0 0 \(width) 24" role="img" aria-labelledby="\(id)-t \(id)-d">\
            <title id="\(id)-t">\(escape(title))</title><desc id="\(id)-d">\(escape(description))</desc>\
            \(rects)</svg>
            """
    }

    /// Columns with their labels under them and their figures over them (the last months' totals).
    public static func columns(id: String, parts: [Part], title: String) -> String {
        let width = 320
        let height = 150
        let top = 20
        let bottom = 22
        let slot = parts.isEmpty ? width : width / parts.count
        let highest = max(1, parts.map(\.value).max() ?? 1)
        var body =
            "<line class=\"axis\" x1=\"0\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\"></line>"
        for (index, part) in parts.enumerated() {
            let room = height - top - bottom
            let h = Int((Double(max(0, part.value)) / Double(highest) * Double(room)).rounded())
            let x = index * slot + slot / 6
            let w = slot * 2 / 3
            body +=
                "<rect class=\"k\(part.colour)\" x=\"\(x)\" y=\"\(height - bottom - h)\" width=\"\(w)\" height=\"\(h)\"></rect>"
            body += "<text x=\"\(x + w / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(escape(part.label))</text>"
            body +=
                "<text x=\"\(x + w / 2)\" y=\"\(max(12, height - bottom - h - 4))\" text-anchor=\"middle\">"
                + "\(escape(shortFigure(part.text)))</text>"
        }
        let description = parts.map { "\($0.label): \($0.text)" }.joined(separator: "; ")
        return """
            <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(id)-t \(id)-d">\
            <title id="\(id)-t">\(escape(title))</title><desc id="\(id)-d">\(escape(description))</desc>\(body)</svg>
            """
    }

    /// "1 234,56 ₽" → "1 235 ₽" over a column (the exact figure is in the description and the table).
    static func shortFigure(_ text: String) -> String {
        guard let comma = text.firstIndex(where: { $0 == "," || $0 == "." }) else { return text }
        let whole = text[..<comma]
        let rest = text[comma...].drop { $0 == "," || $0 == "." || $0.isNumber }
        return String(whole) + rest
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
