import Crypto
import Foundation
import StoreTestSupport
import Testing
import UnifeedTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A server over the samples: imported, published into `feeds`, with an admin token.
final class SampleServer: @unchecked Sendable {
    let cli: CLI
    let server: ServerProcess
    let admin: String

    /// The database is SQLite's in the test's folder, or `postgres` (one made by `TestPostgres`,
    /// dropped with this value).
    let postgres: String?

    convenience init(publish: Bool = true, on store: StoreKind) throws {
        try self.init(publish: publish, postgres: store == .postgres ? try TestPostgres.freshDatabase() : nil)
    }

    init(publish: Bool = true, postgres: String? = nil) throws {
        self.postgres = postgres
        cli = try CLI(database: postgres)
        try cli.importSamples()
        if publish {
            let published = try cli.run(["publish", "--out", cli.path("feeds")])
            guard published.status == 0 else { throw HarnessError("publish: \(published.stderr)") }
        }
        admin = try cli.token("ops", "admin")
        server = try ServerProcess(cli: cli)
    }

    deinit {
        server.stop(signal: SIGKILL)
        if let postgres { TestPostgres.drop(postgres) }
    }

    func json(_ reply: HTTPReply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any], "\(reply.status) \(reply.text)")
    }

    func movements(_ list: [[String: Any]], token: String? = nil) throws -> HTTPReply {
        let body = try JSONSerialization.data(withJSONObject: ["movements": list])
        return try server.request(
            "POST", "/v1/stock/movements", token: token ?? admin, headers: [("Content-Type", "application/json")], body: Array(body))
    }

    /// The ledger's movements of `sku`, as `stock show --json` gives them.
    func ledger(_ sku: String) throws -> [[String: Any]] {
        let shown = try cli.run(["stock", "show", sku, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        return object["movements"] as? [[String: Any]] ?? []
    }

    func onHand(_ sku: String, _ location: String) throws -> Int {
        let shown = try cli.run(["stock", "show", sku, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        return (object["on_hand"] as? [String: Any])?[location] as? Int ?? 0
    }
}

func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

@Suite(.serialized, .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)")) struct ServerAuthTests {
    @Test func tokensScopesAndRevocation() throws {
        let s = try SampleServer(publish: false)
        let sku = "TEE-CLS-BLK-S"
        // No token: 401 with both challenges; open routes answer.
        let none = try s.server.request("GET", "/v1/stock/\(sku)")
        #expect(none.status == 401)
        #expect(none.headers("WWW-Authenticate").contains { $0.hasPrefix("Bearer") })
        #expect(none.headers("WWW-Authenticate").contains { $0.hasPrefix("Basic") })
        #expect(try s.server.request("GET", "/healthz").status == 200)
        #expect(try s.server.request("GET", "/openapi.json").status == 200)
        // A token the store does not know; a malformed header.
        #expect(try s.server.request("GET", "/v1/stock/\(sku)", token: "not-a-token").status == 401)
        #expect(try s.server.request("GET", "/v1/stock/\(sku)", headers: [("Authorization", "Digest x")]).status == 401)
        // Scopes: stock:read reads stock, may not post movements, may not read feeds or metrics.
        let reader = try s.cli.token("till-reader", "stock:read")
        #expect(try s.server.request("GET", "/v1/stock/\(sku)", token: reader).status == 200)
        let forbidden = try s.movements([["id": "m1", "sku": sku, "location": "NYC-01", "kind": "sale", "quantity": 1]], token: reader)
        #expect(forbidden.status == 403 && forbidden.text.contains("stock:write"))
        #expect(try s.server.request("GET", "/metrics", token: reader).status == 403)
        #expect(try s.server.request("GET", "/metrics", token: s.admin).status == 200)
        // Methods outside HTTP's own (WebDAV's, which the parser knows) are answered and counted under
        // one label, not one each.
        for method in ["PROPFIND", "MKCOL", "LOCK", "PURGE"] {
            #expect(try s.server.request(method, "/healthz").status == 405, "\(method)")
        }
        let exposition = try s.server.request("GET", "/metrics", token: s.admin).text
        #expect(exposition.contains("method=\"other\"") && !exposition.contains("PROPFIND"))
        // HTTP Basic, any user name, the token as the password (Google's fetcher).
        let basic = Data("google:\(reader)".utf8).base64EncodedString()
        #expect(try s.server.request("GET", "/v1/stock/\(sku)", headers: [("Authorization", "Basic \(basic)")]).status == 200)
        // Revoked: refused from the next request on.
        #expect(try s.cli.run(["tokens", "revoke", "till-reader"]).status == 0)
        #expect(try s.server.request("GET", "/v1/stock/\(sku)", token: reader).status == 401)
        // The store holds hashes only: the token's text is nowhere in the database file.
        let database = try Data(contentsOf: URL(fileURLWithPath: s.cli.db))
        #expect(database.range(of: Data(reader.utf8)) == nil && database.range(of: Data(s.admin.utf8)) == nil)
        let listed = try s.cli.run(["tokens", "list"])
        #expect(listed.stdout.contains("till-reader\tstock:read") && listed.stdout.contains("ops\tadmin"))
        #expect(try s.cli.run(["tokens", "create", "x", "--scope", "stock:fly"]).stderr.contains("unknown scope 'stock:fly'"))
    }

    @Test func sigtermStopsTheServerCleanly() throws {
        let s = try SampleServer(publish: false)
        #expect(s.server.stop(signal: SIGTERM) == 0)
    }

    /// SIGTERM while a request is in flight (its body half sent): the server finishes it, answers,
    /// and only then exits 0; the movement is in the ledger once.
    @Test func aRequestInFlightAtSIGTERMFinishes() throws {
        let s = try SampleServer(publish: false)
        let body = Array("{\"movements\":[{\"id\":\"late-1\",\"sku\":\"TEE-CLS-BLK-S\",\"location\":\"NYC-01\",\"kind\":\"return\",\"quantity\":1}]}".utf8)
        let fd = try HTTPClient.connect(port: s.server.port)
        defer { close(fd) }
        let head = "POST /v1/stock/movements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.admin)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n"
        try HTTPClient.writeAll(fd, Array(head.utf8) + body.prefix(20))
        usleep(300_000)
        kill(s.server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        #expect(s.server.process.isRunning, "the server waits for the request in flight")
        try HTTPClient.writeAll(fd, Array(body.dropFirst(20)))
        let reply = try HTTPClient.parse(try HTTPClient.readAll(fd))
        #expect(reply.status == 200, "\(reply.text)")
        s.server.process.waitUntilExit()
        #expect(s.server.process.terminationStatus == 0)
        #expect(try s.ledger("TEE-CLS-BLK-S").filter { $0["ref"] as? String == "api:late-1" }.count == 1)
    }
}

@Suite(.serialized, .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)")) struct FeedDeliveryTests {
    @Test func everyPublishedFileIsServedAsTheReportListsIt() throws {
        let s = try SampleServer()
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.cli.path("feeds/publish-report.json")))) as? [String: Any])
        let files = (report["channels"] as? [[String: Any]] ?? []).flatMap { $0["files"] as? [[String: Any]] ?? [] }
        #expect(files.count >= 7)
        for file in files {
            let path = try #require(file["path"] as? String), sha = try #require(file["sha256"] as? String)
            let reply = try s.server.request("GET", "/feeds/\(path)", token: s.admin)
            #expect(reply.status == 200, "\(path)")
            #expect(sha256Hex(reply.body) == sha, "\(path)")
            #expect(reply.header("ETag") == "\"\(sha)\"" && reply.header("Last-Modified") != nil)
            #expect(reply.header("Content-Length") == String(reply.body.count))
        }
    }

    @Test func conditionalRangeGzipAndHead() throws {
        let s = try SampleServer()
        let path = "/feeds/google/products.xml"
        let full = try s.server.request("GET", path, token: s.admin)
        let etag = try #require(full.header("ETag"))
        #expect(try s.server.request("GET", path, token: s.admin, headers: [("If-None-Match", etag)]).status == 304)
        #expect(try s.server.request("GET", path, token: s.admin, headers: [("If-None-Match", "\"other\", \(etag)")]).status == 304)
        #expect(try s.server.request("GET", path, token: s.admin, headers: [("If-None-Match", "\"other\"")]).status == 200)
        let modified = try #require(full.header("Last-Modified"))
        #expect(try s.server.request("GET", path, token: s.admin, headers: [("If-Modified-Since", modified)]).status == 304)

        let part = try s.server.request("GET", path, token: s.admin, headers: [("Range", "bytes=100-199")])
        #expect(part.status == 206 && part.body == Array(full.body[100...199]))
        #expect(part.header("Content-Range") == "bytes 100-199/\(full.body.count)")
        let tail = try s.server.request("GET", path, token: s.admin, headers: [("Range", "bytes=-50")])
        #expect(tail.status == 206 && tail.body == Array(full.body.suffix(50)))
        let from = try s.server.request("GET", path, token: s.admin, headers: [("Range", "bytes=\(full.body.count - 10)-")])
        #expect(from.status == 206 && from.body == Array(full.body.suffix(10)))
        // Malformed, several, backwards or past the end: 416 saying the size.
        for bad in ["bytes=abc", "bytes=5-1", "bytes=\(full.body.count)-", "items=0-1", "bytes=0-1,5-6", "bytes=-0", "bytes=--1"] {
            let reply = try s.server.request("GET", path, token: s.admin, headers: [("Range", bad)])
            #expect(reply.status == 416, "\(bad)")
            #expect(reply.header("Content-Range") == "bytes */\(full.body.count)", "\(bad)")
        }

        // gzip on the way (this publish wrote no .gz twin): the same bytes once decompressed.
        let gzipped = try s.server.request("GET", path, token: s.admin, headers: [("Accept-Encoding", "gzip, deflate")])
        #expect(gzipped.status == 200 && gzipped.header("Content-Encoding") == "gzip" && gzipped.body.count < full.body.count)
        #expect(try gunzip(gzipped.body, in: s.cli) == full.body)
        #expect(try s.server.request("GET", path, token: s.admin, headers: [("Accept-Encoding", "gzip;q=0")]).header("Content-Encoding") == nil)

        let head = try s.server.request("HEAD", path, token: s.admin)
        #expect(head.status == 200 && head.header("ETag") == etag && head.header("Content-Length") == String(full.body.count))
    }

    @Test func aPublishWithGzipTwinsServesTheTwin() throws {
        let s = try SampleServer(publish: false)
        #expect(try s.cli.run(["publish", "--out", s.cli.path("feeds"), "--gzip"]).status == 0)
        let plain = try s.server.request("GET", "/feeds/google/products.xml", token: s.admin)
        let twin = try s.server.request("GET", "/feeds/google/products.xml", token: s.admin, headers: [("Accept-Encoding", "gzip")])
        #expect(twin.status == 200 && twin.header("Content-Encoding") == "gzip" && twin.header("Content-Length") == String(twin.body.count))
        #expect(try gunzip(twin.body, in: s.cli) == plain.body)
        #expect(twin.header("ETag") != plain.header("ETag"))
    }

    /// Nothing but the report's files is reachable, however the path is spelled.
    @Test(arguments: [
        "/feeds/../unifeed.sqlite", "/feeds/%2e%2e/unifeed.sqlite", "/feeds/google/..%2F..%2Funifeed.sqlite", "/feeds/google/%2e%2e%2fpublish-report.json",
        "/feeds/google/.unifeed-swap.lock", "/feeds/publish-report.json", "/feeds/google/", "/feeds/google/products.xml%00.txt",
        "/feeds/google/nope.xml", "/feeds/google/products.xml.gz", "/feeds/..%2f/unifeed.sqlite", "/feeds/google/products.xml/..",
    ])
    func pathsOutsideTheReportAreNotFound(path: String) throws {
        let s = try SampleServer()
        let reply = try s.server.request("GET", path, token: s.admin)
        #expect((400..<500).contains(reply.status), "\(path) → \(reply.status)")
        #expect(!reply.text.contains("SQLite format"))
    }

    /// Downloads during publishes that rename the files: each download is one whole version, the one
    /// its ETag names.
    @Test func aDownloadOverlappingAPublishIsOneWholeVersion() throws {
        let s = try SampleServer()
        let publishes = DispatchSemaphore(value: 0)
        let cli = s.cli
        DispatchQueue.global().async {
            var n = 0
            while n < 8 {
                // Each publish is a new version: the clock moves, so the report's moment and the files change.
                _ = try? cli.run(["publish", "--out", cli.path("feeds"), "--force", "--now", "2026-11-2\(n % 9)T10:00:00Z"])
                n += 1
            }
            publishes.signal()
        }
        var checked = 0
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && checked < 60 {
            let reply = try s.server.request("GET", "/feeds/google/products.xml", token: s.admin)
            guard reply.status == 200 else { continue }
            #expect(reply.header("ETag") == "\"\(sha256Hex(reply.body))\"")
            checked += 1
        }
        publishes.wait()
        #expect(checked > 10)
    }
}

/// Decompresses with the system's gzip.
func gunzip(_ bytes: [UInt8], in cli: CLI) throws -> [UInt8] {
    let path = cli.path("body-\(UUID().uuidString.prefix(6)).gz")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return try CLI.tool("/bin/gzip", ["-dc", path]).stdoutBytes
}

@Suite(
    .serialized,
    .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)"),
    .enabled(if: Requirements.executable("/usr/bin/openssl") && Requirements.executable("/usr/bin/curl"), "needs openssl and curl for a TLS client"))
struct ServerTLSTests {
    /// `--tls-cert` and `--tls-key`: the server speaks HTTPS (a self-signed certificate made here).
    @Test func theServerSpeaksHTTPSWithACertificateAndKey() throws {
        let cli = try CLI()
        try cli.importSamples()
        let token = try cli.token("ops", "admin")
        let openssl = try CLI.tool(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", cli.path("key.pem"), "-out", cli.path("cert.pem")])
        #expect(openssl.status == 0)
        let server = try ServerProcess(cli: cli, extra: ["--tls-cert", cli.path("cert.pem"), "--tls-key", cli.path("key.pem")], scheme: "https")
        defer { server.stop() }
        func curl(_ arguments: [String]) throws -> String { try CLI.tool("/usr/bin/curl", ["-s", "--cacert", cli.path("cert.pem")] + arguments).stdout }
        #expect(try curl(["https://127.0.0.1:\(server.port)/healthz"]).contains("\"status\":\"ok\""))
        #expect(try curl(["-H", "Authorization: Bearer \(token)", "https://127.0.0.1:\(server.port)/v1/stock/TEE-CLS-BLK-S"]).contains("\"sku\":\"TEE-CLS-BLK-S\""))
        // Plain HTTP to the TLS port gets no answer.
        let plain = try? server.request("GET", "/healthz")
        #expect(plain == nil || plain?.status != 200)
    }
}
