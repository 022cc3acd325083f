public import Catalog

/// One data record as read: where it starts and its raw field values (kept for `--rejects`).
public struct SourceRow: Sendable {
    public var line: Int
    public var fields: [String]
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// The header of a file: case-insensitive lookup of columns, kept with their spelling as written.
///
/// A header may also answer to other names for its columns (`aliases`): WooCommerce's localized
/// headers answer to the English names the mapper asks for, while messages keep naming the column as
/// the file writes it.
public struct Header: Sendable {
    public let names: [String]
    public let file: String
    /// Per column, the name the mappers know it by: its alias where it has one, else its name.
    public let canonicalNames: [String]
    private let index: [String: Int]

    public init(_ names: [String], file: String) {
        self.init(names, file: file, aliases: [:])
    }

    /// A header whose columns also answer to `aliases` (canonical name → column index). A name the
    /// header has itself wins over an alias.
    public init(_ names: [String], file: String, aliases: [String: Int]) {
        self.names = names
        self.file = file
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            let key = name.trimmingASCIIWhitespace().lowercased()
            if index[key] == nil { index[key] = i }
        }
        var canonical = names
        for (alias, i) in aliases.sorted(by: { $0.value < $1.value }) where i < names.count {
            let key = alias.lowercased()
            guard index[key] == nil else { continue }
            index[key] = i
            canonical[i] = alias
        }
        self.canonicalNames = canonical
        self.index = index
    }

    /// The column index of `name` (case-insensitive), if present.
    public func column(_ name: String) -> Int? { index[name.lowercased()] }

    /// The first of `names` that is present.
    public func column(anyOf names: [String]) -> Int? { names.lazy.compactMap { column($0) }.first }

    /// Refuses the whole file when a required column is missing, naming it.
    public func require(_ names: [String], format: String) throws {
        for name in names where column(name) == nil {
            throw InputError(
                "missing required column for the \(format) format", at: InputLocation(file: file, line: 1),
                column: name, found: self.names.joined(separator: ","))
        }
    }
}

/// Reads one row's cells by column, collecting every problem of the row (a row with three problems
/// gives three errors).
public struct RowReader {
    public let header: Header
    public let row: SourceRow
    public private(set) var errors: [InputError] = []
    public private(set) var warnings: [InputError] = []

    public init(header: Header, row: SourceRow) {
        self.header = header
        self.row = row
    }

    /// The trimmed cell of column `index`, `nil` when absent or empty.
    public func text(_ index: Int?) -> String? {
        guard let index, index < row.fields.count else { return nil }
        let value = row.fields[index].trimmingASCIIWhitespace()
        return value.isEmpty ? nil : value
    }

    /// The raw cell (untrimmed) of column `index`, `nil` when absent or empty.
    public func raw(_ index: Int?) -> String? {
        guard let index, index < row.fields.count, !row.fields[index].isEmpty else { return nil }
        return row.fields[index]
    }

    /// Parses the cell of `index` when present; a parse error is recorded against that column.
    /// The trimmed cell of a typed column (a number, a flag, a date, an identifier), without the one
    /// leading `'` a spreadsheet or WooCommerce's exporter puts before such values (`'-1`,
    /// `'7350177880022`); free text keeps its apostrophes (read it with `text`).
    public func typed(_ index: Int?) -> String? {
        guard var value = text(index) else { return nil }
        if value.utf8.first == UInt8(ascii: "'") {
            value.removeFirst()
            value = value.trimmingASCIIWhitespace()
        }
        return value.isEmpty ? nil : value
    }

    /// Parses the typed cell of `index` (see `typed`) when present; a parse error is recorded against
    /// that column.
    public mutating func parse<T>(_ index: Int?, _ parser: (String) throws(ValueError) -> T) -> T? {
        guard let value = typed(index) else { return nil }
        do {
            return try parser(value)
        } catch {
            fail(index, error.message, found: value)
            return nil
        }
    }

    /// The GTIN of column `index`: as written when it is not valid (wrong check digit or length, other
    /// characters), with a warning; the row is imported and each channel's diagnostics judge it.
    public mutating func gtin(_ index: Int?) -> GTIN? {
        guard let text = typed(index) else { return nil }
        if let valid = try? GTIN(parsing: text) { return valid }
        warn(index, GTIN.problem(text) ?? "is not a valid GTIN", found: text)
        return GTIN(unchecked: text)
    }

    /// Records an error on column `index` (or on the row when `nil`).
    public mutating func fail(_ index: Int?, _ message: String, found: String? = nil) {
        errors.append(
            InputError(
                message, at: InputLocation(file: header.file, line: row.line),
                column: index.map { header.names[$0] }, found: found))
    }

    /// Records a warning on column `index`.
    public mutating func warn(_ index: Int?, _ message: String, found: String? = nil) {
        warnings.append(
            InputError(
                message, at: InputLocation(file: header.file, line: row.line),
                column: index.map { header.names[$0] }, found: found, severity: .warning))
    }
}
