/// What an upsert did to a row.
public enum Change: Sendable, Equatable {
    case new, updated, unchanged

    /// What a row that had both changes did: new over updated over unchanged.
    public func merged(with other: Change) -> Change {
        if self == .new || other == .new { return .new }
        if self == .updated || other == .updated { return .updated }
        return .unchanged
    }
}

/// A problem with the database itself (cannot open, cannot migrate), as opposed to bad input.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
