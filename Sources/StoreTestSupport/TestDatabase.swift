public import Foundation
import GRDB
import Store
public import StorePort
public import UnifeedTestSupport

#if PostgreSQL
    import PostgresStore
#endif

/// The stores a store-parameterized test runs on: SQLite always; PostgreSQL when the tests have a
/// server (`$UNIFEED_TEST_POSTGRES`, `Requirements.postgres`) and unifeed was built with its trait.
/// Each test target that uses it has one test that is skipped, with `postgresReason`, when PostgreSQL
/// is not among them, so a run without a server says so instead of passing fewer cases in silence.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static let tested: [StoreKind] = postgresBuilt && Requirements.postgres ? [.sqlite, .postgres] : [.sqlite]

    /// unifeed was built with the PostgreSQL trait (the default).
    public static var postgresBuilt: Bool {
        #if PostgreSQL
            true
        #else
            false
        #endif
    }

    public static let postgresReason =
        "the store-parameterized tests run on SQLite only: " + (postgresBuilt ? Requirements.postgresReason : "built without the PostgreSQL trait")

    public var description: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

/// A fresh, empty store of one kind for one test: a database file in `directory`, or a new database
/// on the tests' PostgreSQL server, dropped with this object. `rows(_:)` reads it with plain SQL for what
/// the port does not show: the base tables are the same on both stores (SQLite also keeps views named
/// for its older tables, such as `product_images`, which PostgreSQL has not).
public final class TestDatabase: @unchecked Sendable {
    public let kind: StoreKind
    public let store: any CatalogStore
    /// The file's path or the database's URL.
    public let location: String

    public init(_ kind: StoreKind, in directory: URL) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            location = directory.appendingPathComponent("unifeed.sqlite").path
            store = try SQLiteStore(path: location)
        case .postgres:
            #if PostgreSQL
                location = try TestPostgres.freshDatabase()
                do {
                    store = try PostgresStore(url: DatabaseURL(location))
                } catch {
                    TestPostgres.drop(location)
                    throw error
                }
            #else
                throw PostgresTestError(StoreKind.postgresReason)
            #endif
        }
    }

    deinit {
        if kind == .postgres { TestPostgres.drop(location) }
    }

    /// Every row of `sql`'s answer, its fields as text joined by `|` (NULL as nothing).
    public func rows(_ sql: String) throws -> [String] {
        switch kind {
        case .sqlite:
            var configuration = Configuration()
            configuration.readonly = true
            let reader = try DatabaseQueue(path: location, configuration: configuration)
            return try reader.read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { value -> String in
                        switch value.storage {
                        case .null: ""
                        case .int64(let n): String(n)
                        case .double(let d): String(d)
                        case .string(let s): s
                        case .blob(let data): data.map { String(format: "%02x", $0) }.joined()
                        }
                    }.joined(separator: "|")
                }
            }
        case .postgres:
            let text = try TestPostgres.query(location, sql)
            return text.isEmpty ? [] : text.components(separatedBy: "\n")
        }
    }

    /// The first field of `sql`'s first row as a number (`nil`: no row, or not a number).
    public func int(_ sql: String) throws -> Int? { try rows(sql).first.flatMap { Int($0.split(separator: "|", omittingEmptySubsequences: false).first ?? "") } }

    /// Everything the store holds in `tables`, as text, to show that a failed command changed nothing.
    public func snapshot(_ tables: [String]) throws -> String {
        try tables.map { table in try rows("SELECT * FROM \(table) ORDER BY 1, 2").map { "\(table) \($0)" }.joined(separator: "\n") }.joined(separator: "\n")
    }
}
