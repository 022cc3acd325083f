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
        let jobs: AsyncStream<Job>
        (jobs, queue) = AsyncStream<Job>.makeStream()
        let connection = connection
        let queued = queued
        let description = "\(url)"
        // On threads of its own, never Swift's cooperative pool: the callers block their threads on
        // the answers, and a caller on that pool (a test, an embedding program) may hold every one of its
        // threads while it waits.
        Task(executorPreference: PGJobExecutor.shared) {
            // One statement at a time, in the order given: a query is handed to the connection (which
            // answers in order) and the next taken at once; a COPY is finished before the next is taken,
            // since PostgresNIO starts it from `async` code.
            for await job in jobs {
                // A statement written to a connection that has closed (the server ended it) would never
                // be answered: fail it here.
                if connection.isClosed {
                    let closed = Self.closed(description)
                    switch job {
                    case .query(_, let answer): answer.fail(closed)
                    case .copy(_, _, _, let done): done.fail(closed)
                    }
                    queued.handedOver()
                    continue
                }
                switch job {
                case .query(let query, let answer):
                    connection.query(query, logger: Self.logger).cascade(to: answer)
                case .copy(let table, let columns, let data, let done):
                    do {
                        try await connection.copyFrom(table: table, columns: columns, logger: Self.logger) { writer in
                            try await writer.write(data)
                        }
                        done.succeed(())
                    } catch {
                        done.fail(error)
                    }
                }
                queued.handedOver()
            }
        }
        // No JIT: compiling the feed query took longer than it saved (1M variants: the query alone 11.5 s
        // with it, 5.9 s without); set once per connection, not per transaction.
        try execute("SET jit = off")
    }

    deinit {
        queue.finish()
        try? connection.close().wait()
    }

    /// What goes to the server, in order (`init` starts the one task that sends it).
    private enum Job {
        case query(PostgresQuery, EventLoopPromise<PostgresQueryResult>)
        case copy(table: String, columns: [String], data: ByteBuffer, done: EventLoopPromise<Void>)
    }
    private let queue: AsyncStream<Job>.Continuation
    /// The jobs given to the queue and not yet handed to the connection. While there are none, a query
    /// goes to the connection straight from the caller's thread (after everything handed over before it)
    /// and needs no task: a server's handlers may wait on the store from every thread of Swift's
    /// cooperative pool, which the queue's task would then wait for.
    private let queued = Queued()
    /// Statements sent without waiting (`sendCopy`, `sendStatement`) that have not answered yet, and the
    /// first error one of them met.
    private let unanswered = Unanswered()

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
        // A statement written to a connection that has closed (the server ended it) would never be answered.
        guard !connection.isClosed else { throw Self.closed("\(url)") }
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        if !queued.enqueueUnlessEmpty({ queue.yield(.query(query, answer)) }) {
            connection.query(query, logger: Self.logger).cascade(to: answer)
        }
        return answer.futureResult
    }

    /// The rows of an answer `send` asked for.
    func wait(_ answer: EventLoopFuture<PostgresQueryResult>) throws -> [PostgresRow] {
        try answered(answer, doing: "the database refused a statement").rows
    }

    private func run(_ sql: String, _ binds: PostgresBindings) throws -> PostgresQueryResult {
        try answered(try send(sql, binds), doing: "the database refused a statement")
    }

    /// Waits for `answer`. When a statement sent without waiting failed before it, that failure is the
    /// one thrown (this one was refused only because the transaction had ended with it).
    private func answered<T>(_ answer: EventLoopFuture<T>, doing: String) throws -> T {
        let outcome = Result { try answer.wait() }
        if let earlier = unanswered.takeFailure() { throw earlier }
        do {
            return try outcome.get()
        } catch {
            throw Self.storeError(error, url: url, doing: doing)
        }
    }

    /// Streams `data` (PostgreSQL's COPY text format: see `CopyText`) into `table` through
    /// `COPY … FROM STDIN`, in the open transaction.
    func copy(into table: String, columns: [String], data: ByteBuffer) throws {
        guard let done = try enqueueCopy(into: table, columns: columns, data: data) else { return }
        try answered(done, doing: "the database refused a COPY into \(table)")
    }

    /// Sends a COPY like `copy(into:columns:data:)` without waiting for it: the server works on it
    /// while the caller goes on. Statements after it run after it; its failure is thrown by the next
    /// statement waited for, or by `settle`.
    func sendCopy(into table: String, columns: [String], data: ByteBuffer) throws {
        guard let done = try enqueueCopy(into: table, columns: columns, data: data) else { return }
        unanswered.sent(done) { Self.storeError($0, url: self.url, doing: "the database refused a COPY into \(table)") }
    }

    /// Queues a COPY behind the statements before it; `nil` when there is nothing to copy.
    private func enqueueCopy(into table: String, columns: [String], data: ByteBuffer) throws -> EventLoopFuture<Void>? {
        guard data.readableBytes > 0 else { return nil }
        guard !connection.isClosed else { throw Self.closed("\(url)") }
        let done = connection.eventLoop.makePromise(of: Void.self)
        queued.enqueue { queue.yield(.copy(table: table, columns: columns, data: data, done: done)) }
        return done.futureResult
    }

    /// The error of a statement for a connection the server has ended (it would never be answered).
    private static func closed(_ url: String) -> StoreError { StoreError("\(url): error: the connection to the database was closed") }

    /// Sends a statement without waiting for it (see `sendCopy`).
    func sendStatement(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws {
        let answer = try send(sql, binds)
        unanswered.sent(answer) { Self.storeError($0, url: self.url, doing: "the database refused a statement") }
    }

    /// Waits until every statement sent without waiting has answered; throws the first failure.
    func settle() throws {
        unanswered.waitForAll()
        if let failure = unanswered.takeFailure() { throw failure }
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

    /// Counts the jobs in the queue (`queued`).
    private final class Queued: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0

        /// Gives a job to the queue.
        func enqueue(_ yield: () -> Void) {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            yield()
        }

        /// Gives a job to the queue when it holds any; false when it is empty (the caller sends it).
        func enqueueUnlessEmpty(_ yield: () -> Void) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard count > 0 else { return false }
            count += 1
            yield()
            return true
        }

        func handedOver() {
            lock.lock()
            count -= 1
            lock.unlock()
        }
    }

    /// Counts the statements sent without waiting and keeps the first failure among them.
    private final class Unanswered: @unchecked Sendable {
        private let condition = NSCondition()
        private var count = 0
        private var failure: StoreError?

        func sent<T>(_ answer: EventLoopFuture<T>, describe: @escaping @Sendable (any Error) -> StoreError) {
            condition.lock()
            count += 1
            condition.unlock()
            answer.whenComplete { result in
                self.condition.lock()
                if case .failure(let error) = result, self.failure == nil { self.failure = describe(error) }
                self.count -= 1
                self.condition.broadcast()
                self.condition.unlock()
            }
        }

        func waitForAll() {
            condition.lock()
            while count > 0 { condition.wait() }
            condition.unlock()
        }

        func takeFailure() -> StoreError? {
            condition.lock()
            defer { condition.unlock() }
            let taken = failure
            failure = nil
            return taken
        }
    }
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

/// The executor of the connections' job tasks (`PGConnection.init`): a concurrent dispatch queue, so a
/// COPY's `async` steps run whatever holds the cooperative pool's threads.
final class PGJobExecutor: TaskExecutor {
    static let shared = PGJobExecutor()
    private let queue = DispatchQueue(label: "unifeed.postgres.jobs", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
