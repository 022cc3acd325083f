import Foundation

/// A shipping weight as a number and a unit (`0.3 kg`, `250 g`, `1.2 lb`, `8 oz`), as Google wants it.
public struct Weight: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable { case g, kg, lb, oz }
    /// The number exactly as written (digits and at most one `.`), never converted through `Double`.
    public var value: String
    public var unit: Unit

    public var description: String { "\(value) \(unit.rawValue)" }

    public init(value: String, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    public static func parse(_ text: String) throws(ValueError) -> Weight {
        let u = text.utf8
        var i = u.startIndex
        while i < u.endIndex, u[i] == 0x20 { i = u.index(after: i) }
        let numberStart = i
        var dots = 0
        while i < u.endIndex, (u[i] >= 48 && u[i] <= 57) || u[i] == 46 {
            if u[i] == 46 { dots += 1 }
            i = u.index(after: i)
        }
        let number = String(text[numberStart..<i])
        while i < u.endIndex, u[i] == 0x20 { i = u.index(after: i) }
        var unitEnd = u.endIndex
        while unitEnd > i, u[u.index(before: unitEnd)] == 0x20 { unitEnd = u.index(before: unitEnd) }
        let unitText = text[i..<unitEnd]
        let unit: Unit?
        switch unitText {
        case "g", "G", "gram", "grams": unit = .g
        case "kg", "KG", "Kg", "kgs": unit = .kg
        case "lb", "LB", "lbs", "Lbs", "LBS": unit = .lb
        case "oz", "OZ", "Oz": unit = .oz
        default: unit = nil
        }
        guard !number.isEmpty, dots <= 1, number != ".", let unit else {
            throw ValueError("expected a number and a unit (g, kg, lb, oz), e.g. 0.3 kg")
        }
        return Weight(value: number, unit: unit)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
