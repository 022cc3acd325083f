import Foundation

/// The PostgreSQL server the tests may use: `$UNIFEED_TEST_POSTGRES` (a `postgres://` URL whose role may
/// create databases), which `.ci/run` sets after starting a private cluster (`scripts/pg-test-cluster.sh`).
/// Without it, the tests that need PostgreSQL are skipped with that reason (`Requirements.postgres`).
public enum TestPostgres {
    public static let url: String? = ProcessInfo.processInfo.environment["UNIFEED_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let psql = "/usr/bin/psql"

    /// A new, empty database on the test server, named for this test; returns its URL. Dropped by `drop`.
    public static func freshDatabase() throws -> String {
        guard let url else { throw PostgresTestError("UNIFEED_TEST_POSTGRES is not set") }
        let name = "unifeed_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let result = try CLI.tool(psql, [url, "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)"])
        guard result.status == 0 else { throw PostgresTestError("CREATE DATABASE: \(result.stderr)") }
        return replacingDatabase(of: url, with: String(name))
    }

    /// Drops a database `freshDatabase` made (its connections are ended first).
    public static func drop(_ database: String) {
        guard let url, let name = database.split(separator: "/").last?.split(separator: "?").first else { return }
        _ = try? CLI.tool(psql, [url, "-qc", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }

    /// One query through psql on `database`; its rows, one per line, fields separated by `|`.
    public static func query(_ database: String, _ sql: String) throws -> String {
        let result = try CLI.tool(psql, [database, "-v", "ON_ERROR_STOP=1", "-AtXqc", sql])
        guard result.status == 0 else { throw PostgresTestError("psql: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `url` naming another database on the same server.
    public static func replacingDatabase(of url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}

/// A test harness failure with its message.
public struct PostgresTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
