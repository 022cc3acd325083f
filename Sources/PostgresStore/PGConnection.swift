import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import StorePort

/// One PostgreSQL connection used from a plain thread: the store port's calls block their thread (as
/// SQLite's do), so each query waits for its answer here. Never call it from an event loop or a Swift
/// concurrency executor (the port's `async` variants hop to `StoreThreads` first).
final class PGConnection: @unchecked Sendable {
    let connection: PostgresConnection
    let url: DatabaseURL
    static let logger = Logger(label: "unifeed.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    private static let ids = IDs()

    init(url: DatabaseURL) throws {
        self.url = url
        let configuration: PostgresConnection.Configuration
        switch url.host {
        case .tcp(let host):
            let tls: PostgresConnection.Configuration.TLS
            switch url.tls {
            case .disable: tls = .disable
            case .require:
                do {
                    tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                } catch {
                    throw StoreError("\(url): error: cannot set up TLS: \(error)")
                }
            }
            configuration = .init(host: host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
        case .socket(let folder):
            configuration = .init(
                unixSocketPath: folder + "/.s.PGSQL.\(url.port)", username: url.user, password: url.password, database: url.database)
        }
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: Self.ids.next(), logger: Self.logger
            ).wait()
        } catch {
            throw Self.storeError(error, url: url, doing: "cannot connect")
        }
        // No JIT: compiling the feed query took longer than it saved (1M variants: the query alone 11.5 s
        // with it, 5.9 s without); set once per connection, not per transaction.
        try execute("SET jit = off")
    }

    deinit { try? connection.close().wait() }

    /// Runs `sql` with `binds` and returns every row of its answer.
    @discardableResult
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> [PostgresRow] {
        try run(sql, binds).rows
    }

    /// Runs `sql` with `binds`; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> Int {
        try run(sql, binds).metadata.rows ?? 0
    }

    /// Sends `sql` without waiting for its answer (`wait` takes it later; statements on one connection
    /// run in the order they were sent).
    func send(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> EventLoopFuture<PostgresQueryResult> {
        guard !connection.isClosed else { throw StoreError("\(url): error: the connection to the database was closed") }
        return connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger)
    }

    /// The rows of an answer `send` asked for.
    func wait(_ answer: EventLoopFuture<PostgresQueryResult>) throws -> [PostgresRow] {
        do {
            return try answer.wait().rows
        } catch {
            throw Self.storeError(error, url: url, doing: "the database refused a statement")
        }
    }

    private func run(_ sql: String, _ binds: PostgresBindings) throws -> PostgresQueryResult {
        // A query written to a connection that has closed (the server ended it) would never be answered.
        guard !connection.isClosed else { throw StoreError("\(url): error: the connection to the database was closed") }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger).wait()
        } catch {
            throw Self.storeError(error, url: url, doing: "the database refused a statement")
        }
    }

    /// Streams `data` (PostgreSQL's COPY text format: see `CopyText`) into `table` through
    /// `COPY … FROM STDIN`, in the open transaction.
    func copy(into table: String, columns: [String], data: ByteBuffer) throws {
        guard data.readableBytes > 0 else { return }
        guard !connection.isClosed else { throw StoreError("\(url): error: the connection to the database was closed") }
        let connection = connection
        do {
            try Self.blocking {
                try await connection.copyFrom(table: table, columns: columns, logger: Self.logger) { writer in
                    try await writer.write(data)
                }
            }
        } catch {
            throw Self.storeError(error, url: url, doing: "the database refused a COPY into \(table)")
        }
    }

    /// Runs asynchronous work from a plain thread and waits for it.
    private static func blocking(_ work: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do { try await work() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    /// A PostgresNIO error as one line naming the database (without its password), the server's
    /// message and SQLSTATE when it sent one.
    static func storeError(_ error: any Error, url: DatabaseURL, doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                var text = "\(url): error: \(doing): \(message)"
                if let detail = psql.serverInfo?[.detail] { text += " (\(detail))" }
                if let state = psql.serverInfo?[.sqlState] { text += " [SQLSTATE \(state)]" }
                return StoreError(text)
            }
            if let underlying = psql.underlying { return StoreError("\(url): error: \(doing): \(underlying)") }
            return StoreError("\(url): error: \(doing): \(psql.code)")
        }
        return StoreError("\(url): error: \(doing): \(error)")
    }

    private final class Outcome: @unchecked Sendable { var error: (any Error)? }
    private final class IDs: @unchecked Sendable {
        private let lock = NSLock()
        private var last = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            last += 1
            return last
        }
    }
}

/// Rows in PostgreSQL's COPY text format: fields separated by tabs, rows by newlines, `\N` for NULL,
/// backslash, tab, newline and carriage return escaped.
struct CopyText {
    private(set) var buffer = ByteBufferAllocator().buffer(capacity: 1 << 16)
    private var fieldsInRow = 0
    private(set) var rows = 0

    var isEmpty: Bool { rows == 0 }

    mutating func text(_ value: String?) {
        separate()
        guard var value else {
            buffer.writeStaticString("\\N")
            return
        }
        value.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let escape: UInt8
                switch bytes[i] {
                case 0x5C: escape = 0x5C
                case 0x09: escape = UInt8(ascii: "t")
                case 0x0A: escape = UInt8(ascii: "n")
                case 0x0D: escape = UInt8(ascii: "r")
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<i]))
                buffer.writeInteger(UInt8(0x5C))
                buffer.writeInteger(escape)
                start = i + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
        }
    }

    mutating func int(_ value: Int64?) {
        separate()
        guard let value else {
            buffer.writeStaticString("\\N")
            return
        }
        buffer.writeString(String(value))
    }

    mutating func int(_ value: Int?) { int(value.map(Int64.init)) }

    /// bytea in its hex form (`\\x…`; the backslash doubled for COPY's own escaping).
    mutating func bytes(_ value: [UInt8]?) {
        guard let value else { return text(nil) }
        let digits = Array("0123456789abcdef".utf8)
        var hex = "\\x"
        hex.reserveCapacity(2 + 2 * value.count)
        for byte in value {
            hex.unicodeScalars.append(UnicodeScalar(digits[Int(byte >> 4)]))
            hex.unicodeScalars.append(UnicodeScalar(digits[Int(byte & 15)]))
        }
        text(hex)
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(0x0A))
        fieldsInRow = 0
        rows += 1
    }

    mutating func reset() {
        buffer.clear()
        fieldsInRow = 0
        rows = 0
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.writeInteger(UInt8(0x09)) }
        fieldsInRow += 1
    }
}

extension PostgresRandomAccessRow {
    func text(_ i: Int) throws -> String? { try self[i].decode(String?.self) }
    func int(_ i: Int) throws -> Int64? { try self[i].decode(Int64?.self) }
}
