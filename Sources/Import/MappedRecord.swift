public import Catalog
public import Formats
public import Pipeline
public import StorePort

/// Turns source rows of one format into records. Mappers are pure: no I/O, no database.
public protocol RowMapper {
    /// Maps one row. May hold rows back (a Shopify handle group) and return them later, in order.
    mutating func consume(_ row: SourceRow) -> [MappedRecord]
    /// Returns whatever is still held back at the end of the file.
    mutating func finish() -> [MappedRecord]
    /// The mapper reads the import's scratch space (its store connection), so it must run on the thread
    /// that writes, not on a reading thread of its own.
    var usesImportScratch: Bool { get }
    /// Warnings about the header as a whole (a column the config points at is missing, say).
    var headerWarnings: [InputError] { get }
}

extension RowMapper {
    public var usesImportScratch: Bool { false }
    public var headerWarnings: [InputError] { [] }
}

extension RowReader {
    /// A record of this row with the problems collected so far.
    public func record(_ payload: MappedRecord.Payload) -> MappedRecord {
        MappedRecord(source: row, payload: payload, errors: errors, warnings: warnings)
    }
}
