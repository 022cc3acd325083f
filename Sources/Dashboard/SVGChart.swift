import Foundation

/// Small charts drawn on the server as inline SVG (no chart library, no script): bars for one series,
/// lines for several. Every label is escaped here, as the chart goes into the page unescaped.
public enum SVGChart {
    static let palette = ["#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#be185d", "#0e7490", "#a16207", "#4b5563"]

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Horizontal bars, one per label, with its value written beside it; `nil` when there is nothing.
    public static func bars(_ items: [(label: String, value: Int)], title: String) -> String? {
        guard !items.isEmpty else { return nil }
        let rowHeight = 26.0, labelWidth = 140.0, width = 640.0, valueWidth = 90.0
        let height = Double(items.count) * rowHeight + 10
        let maxValue = Double(max(items.map(\.value).max() ?? 1, 1))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        for (i, item) in items.enumerated() {
            let y = 5 + Double(i) * rowHeight
            let barWidth = max(0, Double(item.value)) / maxValue * (width - labelWidth - valueWidth)
            svg += "<text x=\"\(number(labelWidth - 8))\" y=\"\(number(y + 17))\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d232b\">\(escape(item.label))</text>"
            svg +=
                "<rect x=\"\(number(labelWidth))\" y=\"\(number(y + 4))\" width=\"\(number(barWidth))\" height=\"\(number(rowHeight - 8))\" fill=\"\(item.value < 0 ? "#b42318" : palette[0])\"/>"
            svg += "<text x=\"\(number(labelWidth + barWidth + 6))\" y=\"\(number(y + 17))\" font-size=\"13\" fill=\"#1d232b\">\(escape(Figures.count(item.value)))</text>"
        }
        return svg + "</svg>"
    }

    /// One line per series over the same points (oldest first), with a legend; `nil` when there are
    /// fewer than two points.
    public static func lines(_ series: [(name: String, values: [Int])], points: [String], title: String) -> String? {
        guard points.count >= 2, !series.isEmpty else { return nil }
        let width = 640.0, height = 260.0, left = 70.0, right = 150.0, top = 12.0, bottom = 40.0
        let maxValue = Double(max(series.flatMap(\.values).max() ?? 1, 1))
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ i: Int) -> Double { left + plotWidth * Double(i) / Double(points.count - 1) }
        func y(_ v: Int) -> Double { top + plotHeight * (1 - Double(v) / maxValue) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top + plotHeight))\" x2=\"\(number(left + plotWidth))\" y2=\"\(number(top + plotHeight))\" stroke=\"#9aa4af\"/>"
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top))\" x2=\"\(number(left))\" y2=\"\(number(top + plotHeight))\" stroke=\"#9aa4af\"/>"
        svg += "<text x=\"\(number(left - 6))\" y=\"\(number(top + 10))\" text-anchor=\"end\" font-size=\"12\" fill=\"#5b6673\">\(escape(Figures.count(Int(maxValue))))</text>"
        svg += "<text x=\"\(number(left - 6))\" y=\"\(number(top + plotHeight))\" text-anchor=\"end\" font-size=\"12\" fill=\"#5b6673\">0</text>"
        svg += "<text x=\"\(number(left))\" y=\"\(number(height - 14))\" font-size=\"12\" fill=\"#5b6673\">\(escape(points.first!))</text>"
        svg += "<text x=\"\(number(left + plotWidth))\" y=\"\(number(height - 14))\" text-anchor=\"end\" font-size=\"12\" fill=\"#5b6673\">\(escape(points.last!))</text>"
        for (n, s) in series.enumerated() {
            let color = palette[n % palette.count]
            let path = s.values.enumerated().map { "\(number(x($0.offset))),\(number(y($0.element)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            let ly = top + 14 + Double(n) * 18
            svg += "<rect x=\"\(number(width - right + 12))\" y=\"\(number(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(number(width - right + 28))\" y=\"\(number(ly))\" font-size=\"12\" fill=\"#1d232b\">\(escape(s.name))</text>"
        }
        return svg + "</svg>"
    }
}
