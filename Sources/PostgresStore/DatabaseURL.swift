public import Foundation
import StorePort

/// A PostgreSQL address as `--db` or `$UNIFEED_DB` gives it:
/// `postgres://USER[:PASS]@HOST[:PORT]/DB[?sslmode=…&host=/socket/dir]` (also `postgresql://`).
///
/// The host may be a Unix-socket folder, percent-encoded in the URL's host (`%2Fvar%2Frun%2Fpostgresql`)
/// or given as `?host=/var/run/postgresql`, as libpq reads them. The password may come from the URL, else
/// `$PGPASSWORD`, else the password file (`$PGPASSFILE`, else `~/.pgpass`, read only when no one but its
/// owner may read it, as libpq does). It never appears in `description`.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public enum Host: Sendable, Equatable {
        case tcp(String)
        /// The folder of the server's socket (`.s.PGSQL.PORT` inside it).
        case socket(folder: String)
    }
    /// How the connection is encrypted (`sslmode`): `disable` (the default), or `require` (TLS, the
    /// server's certificate checked against the system's roots).
    public enum TLSMode: String, Sendable { case disable, require }

    public var user: String
    public var password: String?
    public var host: Host
    public var port: Int
    public var database: String
    public var tls: TLSMode

    /// Whether `text` names a PostgreSQL database (anything else is an SQLite path).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; `environment` supplies `PGPASSWORD`, `PGPASSFILE`, `HOME`, `USER`.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ what: String) -> StoreError {
            StoreError("--db: error: \(what); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, found \(DatabaseURL.redacted(text))")
        }
        guard Self.isPostgres(text), let components = URLComponents(string: text) else { throw bad("not a PostgreSQL URL") }
        var user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? environment["USER"]
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        var port = 5432
        if let p = components.port {
            guard (1...65535).contains(p) else { throw bad("port out of range") }
            port = p
        }
        self.port = port
        let path = components.percentEncodedPath.dropFirst()
        guard !path.isEmpty, !path.contains("/"), let database = String(path).removingPercentEncoding else { throw bad("no database name") }
        self.database = database
        var tls = TLSMode.disable
        var hostParameter: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value {
                case "disable", "allow", "prefer": tls = .disable
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw bad("sslmode must be disable or require")
                }
            case "host": hostParameter = item.value
            case "user":
                if let u = item.value, !u.isEmpty { user = u }
            case "password": password = item.value
            default: throw bad("unknown parameter '\(item.name)'")
            }
        }
        self.tls = tls
        guard let user, !user.isEmpty else { throw bad("no user") }
        self.user = user
        let hostText = hostParameter ?? components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        if hostText.hasPrefix("/") {
            host = .socket(folder: hostText)
        } else if hostText.isEmpty {
            host = .socket(folder: "/var/run/postgresql")
        } else if hostText.hasPrefix("["), hostText.hasSuffix("]") {
            host = .tcp(String(hostText.dropFirst().dropLast()))  // an IPv6 address
        } else {
            host = .tcp(hostText)
        }
        if password == nil { password = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 } }
        if password == nil { password = Self.passwordFile(environment: environment, url: self) }
    }

    /// The address without its password, for messages and logs.
    public var description: String {
        let hostText: String
        switch host {
        case .tcp(let name): hostText = name.contains(":") ? "[\(name)]:\(port)" : "\(name):\(port)"
        case .socket(let folder):
            hostText = (folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? folder) + (port == 5432 ? "" : ":\(port)")
        }
        let userText = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user
        return "postgres://\(userText)@\(hostText)/\(database)"
    }

    /// `text` with any password between `:` and `@` of its authority replaced (for an address that did
    /// not parse).
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<rest.index(after: colon)]) + "***" + String(rest[at...])
    }

    /// The password of the first matching line of the password file (`host:port:database:user:password`,
    /// `*` matching anything, `\:` and `\\` escaped), as libpq reads it; `nil` when there is none, or the
    /// file may be read by others than its owner.
    static func passwordFile(environment: [String: String], url: DatabaseURL) -> String? {
        guard let path = environment["PGPASSFILE"] ?? environment["HOME"].map({ $0 + "/.pgpass" }),
            let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 == 0,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        let hostName: String
        switch url.host {
        case .tcp(let name): hostName = name
        case .socket: hostName = "localhost"
        }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var field = ""
            var escaped = false
            for c in line {
                if escaped {
                    field.append(c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(c)
                }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [hostName, String(url.port), url.database, url.user]
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
