import Foundation
import Testing
import UnifeedTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Clients posting movements with retries while servers are killed, restarted, or run two at once on
/// one database file. Bounded in time; loopback only.
@Suite(.serialized, .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)")) struct ServerFaultTests {
    static let sku = "TEE-CLS-BLK-S"

    /// The ports clients may use now (the servers come and go).
    final class Ports: @unchecked Sendable {
        private let lock = NSLock()
        private var ports: [Int]
        init(_ ports: [Int]) { self.ports = ports }
        func set(_ ports: [Int]) { lock.withLock { self.ports = ports } }
        func pick(_ n: Int) -> Int { lock.withLock { ports[n % ports.count] } }
    }

    /// What the clients sent and what was acknowledged with a 2xx.
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        var sent: Set<String> = []
        var acknowledged: Set<String> = []
        func send(_ id: String) { lock.withLock { _ = sent.insert(id) } }
        func ack(_ id: String) { lock.withLock { _ = acknowledged.insert(id) } }
        var acknowledgedCount: Int { lock.withLock { acknowledged.count } }
    }

    /// `clients` threads post `perClient` movements each (one per request, some requests of 3), retrying
    /// each until a 2xx: a retry after a lost answer sends the same id and content again.
    static func runClients(_ clients: Int, perClient: Int, ports: Ports, token: String, record: Record, duplicateAcross: Bool = false) {
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            Thread {
                defer { group.leave() }
                var attempt = 0
                for i in 0..<perClient {
                    // Ids are shared between clients in the two-servers test: the same movement sent to both.
                    let owner = duplicateAcross ? client / 2 : client
                    let ids = (0..<(i % 5 == 0 ? 3 : 1)).map { "c\(owner)-\(i)-\($0)" }
                    let movements = ids.map { id in
                        "{\"id\":\"\(id)\",\"sku\":\"\(sku)\",\"location\":\"NYC-01\",\"kind\":\"adjustment\",\"quantity\":1}"
                    }
                    let body = Array("{\"movements\":[\(movements.joined(separator: ","))]}".utf8)
                    ids.forEach(record.send)
                    let deadline = Date().addingTimeInterval(60)
                    while Date() < deadline {
                        attempt += 1
                        let port = ports.pick(client + attempt)
                        if let reply = try? HTTPClient.send(
                            port: port, method: "POST", path: "/v1/stock/movements", headers: [("Authorization", "Bearer \(token)")], body: body),
                            reply.status == 200
                        {
                            ids.forEach(record.ack)
                            break
                        }
                        usleep(20_000)
                    }
                }
            }.start()
        }
        group.wait()
    }

    /// The `api:` refs in the ledger of `sku`, with how many times each appears.
    static func apiRefs(_ cli: CLI) throws -> [String: Int] {
        let shown = try cli.run(["stock", "show", sku, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        var counts: [String: Int] = [:]
        for movement in object["movements"] as? [[String: Any]] ?? [] {
            guard let ref = movement["ref"] as? String, ref.hasPrefix("api:") else { continue }
            counts[String(ref.dropFirst(4)), default: 0] += 1
        }
        return counts
    }

    static func integrityCheck(_ path: String) throws -> String {
        try CLI.tool("/usr/bin/sqlite3", [path, "PRAGMA integrity_check;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: Requirements.executable("/usr/bin/sqlite3"), "needs the sqlite3 shell for integrity_check"))
    func sigkillUnderLoadLosesNoAcknowledgedMovementAndDoublesNone() throws {
        let s = try SampleServer(publish: false)
        try Self.sigkillUnderLoad(s)
        #expect(try Self.integrityCheck(s.cli.db) == "ok")
    }

    /// The same on PostgreSQL: killed servers' transactions are rolled back by the server; the ids'
    /// primary key refuses a retry's second record.
    @Test(.enabled(if: Requirements.postgres, Comment(rawValue: Requirements.postgresReason)))
    func sigkillUnderLoadOnPostgreSQLLosesNoAcknowledgedMovementAndDoublesNone() throws {
        try Self.sigkillUnderLoad(try SampleServer(publish: false, postgres: try TestPostgres.freshDatabase()))
    }

    /// Two servers on one PostgreSQL database, as two machines behind a load balancer, each killed in
    /// turn while clients in pairs post the same movements, one to each: nothing lost, nothing twice.
    @Test(.enabled(if: Requirements.postgres, Comment(rawValue: Requirements.postgresReason)))
    func twoServersOnPostgreSQLKilledInTurnUnderLoadLoseAndDoubleNothing() throws {
        try Self.sigkillUnderLoad(try SampleServer(publish: false, postgres: try TestPostgres.freshDatabase()), servers: 2)
    }

    /// Clients post while the servers are killed at random moments (one at a time, in turn) and started
    /// again; with several servers, clients in pairs send the same ids, one to each server.
    static func sigkillUnderLoad(_ s: SampleServer, servers count: Int = 1) throws {
        var servers = [s.server]
        for _ in 1..<count { servers.append(try ServerProcess(cli: s.cli)) }
        let ports = Ports(servers.map(\.port))
        let record = Record()
        let done = DispatchSemaphore(value: 0)
        let token = s.admin
        let clients = 4, perClient = 600
        DispatchQueue.global().async {
            Self.runClients(clients, perClient: perClient, ports: ports, token: token, record: record, duplicateAcross: count > 1)
            done.signal()
        }
        // Each client sends 840 ids (600 requests, every fifth of 3); pairs share theirs.
        let ids = (count > 1 ? clients / 2 : clients) * 840
        // Kill a server at random moments while the clients post, four times at least, and start a new
        // one in its place each time.
        var kills = 0
        var killsUnderLoad = 0
        var generator = SystemRandomNumberGenerator()
        let deadline = Date().addingTimeInterval(90)
        while done.wait(timeout: .now() + .milliseconds(Int.random(in: 100...400, using: &generator))) == .timedOut, Date() < deadline {
            let acknowledgedBefore = record.acknowledgedCount
            let victim = kills % count
            servers[victim].stop(signal: SIGKILL)
            kills += 1
            if acknowledgedBefore > 0 && acknowledgedBefore < ids { killsUnderLoad += 1 }
            servers[victim] = try ServerProcess(cli: s.cli)
            ports.set(servers.map(\.port))
        }
        #expect(killsUnderLoad >= 4, "killed \(killsUnderLoad) times under load")
        for server in servers { server.stop(signal: SIGTERM) }

        let refs = try Self.apiRefs(s.cli)
        #expect(refs.values.allSatisfy { $0 == 1 }, "no movement twice: \(refs.filter { $0.value > 1 }.keys.sorted().prefix(5))")
        #expect(record.acknowledged.isSubset(of: Set(refs.keys)), "every acknowledged movement is in the ledger")
        #expect(Set(refs.keys).isSubset(of: record.sent), "nothing that no client sent")
        #expect(record.acknowledged.count == record.sent.count && record.sent.count == ids, "every movement was acknowledged in the end")
    }

    @Test func twoServersOnOneDatabaseNeitherLoseNorDouble() throws {
        try Self.twoServers(try SampleServer(publish: false))
    }

    /// Two servers on one PostgreSQL database, as two machines behind a load balancer would run.
    @Test(.enabled(if: Requirements.postgres, Comment(rawValue: Requirements.postgresReason)))
    func twoServersOnOnePostgreSQLDatabaseNeitherLoseNorDouble() throws {
        try Self.twoServers(try SampleServer(publish: false, postgres: try TestPostgres.freshDatabase()))
    }

    static func twoServers(_ s: SampleServer) throws {
        let second = try ServerProcess(cli: s.cli)
        defer { second.stop(signal: SIGTERM) }
        let ports = Ports([s.server.port, second.port])
        let record = Record()
        // Clients in pairs send the same ids, one pair member to each server, at the same time.
        Self.runClients(4, perClient: 40, ports: ports, token: s.admin, record: record, duplicateAcross: true)
        let refs = try Self.apiRefs(s.cli)
        #expect(refs.values.allSatisfy { $0 == 1 })
        #expect(Set(refs.keys) == record.sent && record.acknowledged == record.sent)
    }
}
