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
        let s = text.trimmingASCIIWhitespace()
        let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unitText = s.dropFirst(number.count).trimmingCharacters(in: " ").lowercased()
        let aliases: [String: Unit] = ["g": .g, "gram": .g, "grams": .g, "kg": .kg, "kgs": .kg, "lb": .lb, "lbs": .lb,
                                       "oz": .oz]
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != ".",
            let unit = aliases[unitText]
        else {
            throw ValueError("expected a number and a unit (g, kg, lb, oz), e.g. 0.3 kg")
        }
        return Weight(value: String(number), unit: unit)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
