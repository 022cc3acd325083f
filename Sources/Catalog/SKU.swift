/// A stock-keeping unit's id: the unit every channel lists, unique in the catalog.
///
/// As the store hands it back; the import validates what it stores (`Identifier.validate`).
public struct SKU: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    /// Ordered as the store orders them: by UTF-8 bytes.
    public static func < (a: SKU, b: SKU) -> Bool { a.rawValue.utf8.lexicographicallyPrecedes(b.rawValue.utf8) }
}
