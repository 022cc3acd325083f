import Foundation
import UnifeedTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real `unifeed serve` on a loopback port chosen by the system, over a database and an output
/// folder of its own (`cli.directory`); stderr goes to a file the tests read.
final class ServerProcess: @unchecked Sendable {
    let cli: CLI
    let process = Process()
    let logPath: String
    private(set) var port = 0
    let outDir: String

    /// Starts the server and waits (at most 30 s) for its "listening on" line.
    init(cli: CLI, outDir: String? = nil, extra: [String] = [], scheme: String = "http") throws {
        self.cli = cli
        self.outDir = outDir ?? cli.path("feeds")
        logPath = cli.path("serve-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = CLI.binary
        process.arguments = ["--db", cli.db, "--config", CLI.config, "serve", "--listen", "127.0.0.1:0", "--out", self.outDir] + extra
        process.currentDirectoryURL = cli.directory
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: logPath, encoding: .utf8), let range = text.range(of: "listening on \(scheme)://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) {
                    self.port = port
                    return
                }
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        stop(signal: SIGKILL)
        throw HarnessError("the server did not start: \(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { stop(signal: SIGKILL) } }

    func request(
        _ method: String, _ path: String, token: String? = nil, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> HTTPReply {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        return try HTTPClient.send(port: port, method: method, path: path, headers: all, body: body)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An HTTP/1.1 answer.
struct HTTPReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    func headers(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
}

/// A plain HTTP/1.1 client over a socket, one request per connection: what the tests send is exactly
/// what goes on the wire (malformed paths, cut-off bodies), and nothing is normalized on the way.
enum HTTPClient {
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw HarnessError("connect: \(errno)")
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw HarnessError("send: \(errno)") }
            sent += n
        }
    }

    static func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HarnessError("recv: \(errno)")
            }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }

    static func send(port: Int, method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> HTTPReply {
        let fd = try connect(port: port)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(fd, Array(head.utf8) + body)
        return try parse(try readAll(fd), method: method)
    }

    /// Parses one response (a `Content-Length` body, a chunked one, or one up to the close).
    static func parse(_ bytes: [UInt8], method: String = "GET") throws -> HTTPReply {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { throw HarnessError("no response head in \(bytes.count) bytes") }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[end.upperBound...])
        let reply = HTTPReply(status: status, headers: headers, body: [])
        if reply.header("Transfer-Encoding")?.lowercased() == "chunked" {
            var decoded: [UInt8] = []
            var rest = body[...]
            while let lineEnd = rest.firstRange(of: Array("\r\n".utf8)) {
                let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
                rest = rest[lineEnd.upperBound...]
                if size == 0 { break }
                decoded.append(contentsOf: rest.prefix(size))
                rest = rest.dropFirst(size + 2)
            }
            body = decoded
        }
        return HTTPReply(status: status, headers: headers, body: method == "HEAD" ? [] : body)
    }
}

extension CLI {
    /// Creates a token with `scopes` and returns it.
    func token(_ name: String, _ scopes: String) throws -> String {
        let result = try run(["tokens", "create", name, "--scope", scopes])
        guard result.status == 0 else { throw HarnessError("tokens create: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The samples imported (catalog, stores, inventory), as the demo does.
    func importSamples() throws {
        for (kind, file) in [("catalog", "catalog.csv"), ("stores", "stores.csv"), ("inventory", "inventory.csv")] {
            let result = try run(["import", kind, CLI.sample(file)])
            guard result.status == 0 else { throw HarnessError("import \(kind): \(result.stderr)") }
        }
    }
}

extension CLI {
    /// One query through the sqlite3 shell (`.enabled(if: Requirements.executable("/usr/bin/sqlite3"))`),
    /// or psql on a PostgreSQL store (a blob literal `x'…'` becomes bytea).
    func sql(_ query: String) throws -> String {
        if db.hasPrefix("postgres") {
            return try TestPostgres.query(db, query.replacingOccurrences(of: #"x'([0-9a-fA-F]*)'"#, with: #"'\\x$1'::bytea"#, options: .regularExpression))
        }
        return try CLI.tool("/usr/bin/sqlite3", [db, query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
