import Foundation
import StoreTestSupport
import Synchronization
import Testing
import UnifeedTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized, .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)")) struct StockAPITests {
    let sku = "TEE-CLS-BLK-S"

    @Test(arguments: StoreKind.tested) func eachKindMovesTheLedgerOnceAndStockShowExplainsIt(_ store: StoreKind) throws {
        let s = try SampleServer(publish: false, on: store)
        let before = try s.onHand(sku, "NYC-01")
        let reply = try s.movements([
            ["id": "till-7:1", "sku": sku, "location": "NYC-01", "kind": "return", "quantity": 3],
            ["id": "till-7:2", "sku": sku, "location": "NYC-01", "kind": "sale", "quantity": 1],
            ["id": "till-7:3", "sku": sku, "location": "NYC-01", "kind": "adjustment", "quantity": -1, "at": "2026-12-07T09:30:00Z"],
            ["id": "till-7:4", "sku": sku, "location": "BKN-02", "kind": "count", "quantity": 6],
        ])
        #expect(reply.status == 200, "\(reply.text)")
        let answered = try #require(try s.json(reply)["movements"] as? [[String: Any]])
        #expect(answered.map { $0["delta"] as? Int } == [3, -1, -1, 6])
        #expect(answered.map { $0["on_hand"] as? Int } == [before + 3, before + 2, before + 1, 6])
        #expect(try s.onHand(sku, "NYC-01") == before + 1 && s.onHand(sku, "BKN-02") == 6)
        let ledger = try s.ledger(sku).filter { ($0["ref"] as? String)?.hasPrefix("api:") == true }
        #expect(ledger.map { $0["ref"] as? String } == ["api:till-7:1", "api:till-7:2", "api:till-7:3", "api:till-7:4"])
        #expect(ledger.map { $0["kind"] as? String } == ["return", "sale", "adjustment", "count"])
        #expect(ledger[2]["at"] as? String == "2026-12-07T09:30:00Z")
        // A count that matches moves nothing and says so.
        let same = try s.movements([["id": "till-7:5", "sku": sku, "location": "BKN-02", "kind": "count", "quantity": 6]])
        #expect((try s.json(same)["movements"] as? [[String: Any]])?.first?["delta"] as? Int == 0)
        #expect(try s.ledger(sku).count == ledger.count + (try s.ledger(sku).count - ledger.count))
    }

    /// The server checkpoints on a thread of its own (no request waits for one); the log must still be
    /// rewound while writers keep coming, or it grows without end (it reached 1.4 GB in eight seconds
    /// of single movements before the checkpointer finished each round between two transactions).
    @Test func theWriteAheadLogStaysBoundedUnderSustainedWrites() throws {
        let s = try SampleServer(publish: false)
        let skus = ["TEE-CLS-BLK-S", "TEE-CLS-BLK-M", "TEE-CLS-WHT-S", "TEE-CLS-BLK-L"]
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { client in
            for n in 0..<250 {
                let reply = try? s.movements([["id": "wal-\(client)-\(n)", "sku": skus[n % skus.count], "location": "online", "kind": "adjustment", "quantity": 1]])
                if reply?.status != 200 { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        // 2,000 commits of a few 16 KB pages each: about 100 MB of log if it were never rewound.
        var st = stat()
        let wal = stat(s.cli.db + "-wal", &st) == 0 ? Int(st.st_size) : 0
        #expect(wal < 24 << 20, "the write-ahead log grew to \(wal) bytes")
        #expect(try s.onHand("TEE-CLS-BLK-S", "online") >= 500)
    }

    @Test(arguments: StoreKind.tested) func aRetryMovesNothingAndAReusedIdWithOtherContentIs409(_ store: StoreKind) throws {
        let s = try SampleServer(publish: false, on: store)
        let movement: [String: Any] = ["id": "pos-1-0001", "sku": sku, "location": "NYC-01", "kind": "sale", "quantity": 1]
        let first = try s.movements([movement])
        let ledger = try s.ledger(sku).count
        let again = try s.movements([movement])
        #expect(first.status == 200 && again.status == 200)
        #expect(again.body == first.body, "a replay answers as the first time")
        #expect(again.header("Unifeed-Replayed") == "1" && first.header("Unifeed-Replayed") == "0")
        #expect(try s.ledger(sku).count == ledger)
        // The same id twice in one request counts once.
        let twice = try s.movements([
            ["id": "pos-1-0002", "sku": sku, "location": "NYC-01", "kind": "return", "quantity": 1],
            ["id": "pos-1-0002", "sku": sku, "location": "NYC-01", "kind": "return", "quantity": 1],
        ])
        let afterTwice = try s.ledger(sku).count
        #expect(twice.status == 200 && afterTwice == ledger + 1)
        var changed = movement
        changed["quantity"] = 2
        let conflict = try s.movements([changed])
        #expect(conflict.status == 409 && conflict.text.contains("movements[0].id"))
        #expect(try s.ledger(sku).count == ledger + 1)
    }

    /// Every kind of bad movement: 400 naming the index and field, and nothing of the request applied
    /// (the good movement beside it included).
    @Test(arguments: [
        ("sku", "\"NO-SUCH-SKU\"", "movements[1].sku", "unknown SKU"),
        ("location", "\"MARS-01\"", "movements[1].location", "unknown location"),
        ("kind", "\"theft\"", "movements[1].kind", "unknown kind 'theft'"),
        ("quantity", "1.5", "movements[1].quantity", "expected a whole number"),
        ("quantity", "\"2\"", "movements[1].quantity", "expected a whole number"),
        ("quantity", "0", "movements[1].quantity", "a sale takes 1 or more units"),
        ("id", "\"\"", "movements[1].id", "expected 1 to 128 printable characters"),
        ("at", "\"yesterday\"", "movements[1].at", "expected an ISO 8601 time"),
        ("colour", "\"red\"", "movements[1].colour", "unknown member"),
    ])
    func badMovementsApplyNothing(key: String, json: String, field: String, message: String) throws {
        let s = try SampleServer(publish: false)
        let ledger = try s.ledger(sku).count
        var bad = ["id": "\"b-2\"", "sku": "\"\(sku)\"", "location": "\"NYC-01\"", "kind": "\"sale\"", "quantity": "1"]
        bad[key] = json
        let good = "{\"id\":\"g-1\",\"sku\":\"\(sku)\",\"location\":\"NYC-01\",\"kind\":\"sale\",\"quantity\":1}"
        let body = "{\"movements\":[\(good),{\(bad.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ","))}]}"
        let reply = try s.server.request("POST", "/v1/stock/movements", token: s.admin, body: Array(body.utf8))
        #expect(reply.status == 400, "\(reply.text)")
        let problems = try #require(try s.json(reply)["problems"] as? [[String: Any]])
        #expect(problems.contains { $0["field"] as? String == field && ($0["message"] as? String)?.contains(message) == true }, "\(reply.text)")
        #expect(try s.ledger(sku).count == ledger)
    }

    /// Bodies that are not movements at all: a clear 4xx, nothing applied, the server still answering.
    @Test(arguments: StoreKind.tested) func malformedOversizedAndCutOffBodies(_ store: StoreKind) throws {
        let s = try SampleServer(publish: false, on: store)
        let ledger = try s.ledger(sku).count
        func post(_ body: [UInt8]) throws -> HTTPReply {
            try s.server.request("POST", "/v1/stock/movements", token: s.admin, headers: [("Content-Type", "application/json")], body: body)
        }
        #expect(try post(Array("{\"movements\": [".utf8)).status == 400)
        #expect(try post(Array("[]".utf8)).status == 400)
        #expect(try post(Array("{\"movements\": []}".utf8)).status == 400)
        #expect(try post(Array("{\"movements\": {}}".utf8)).status == 400)
        #expect(try post([0xFF, 0xFE, 0x00]).status == 400)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let nested = try post(Array("{\"movements\": \(deep)}".utf8))
        #expect(nested.status == 400 && nested.text.contains("nested deeper than 64"))
        let big = "{\"movements\": [" + String(repeating: " ", count: 1 << 20) + "]}"
        #expect(try post(Array(big.utf8)).status == 413)
        // A body announced longer than what is sent, then the connection closes: nothing applied.
        let fd = try HTTPClient.connect(port: s.server.port)
        let body = "{\"movements\": [{\"id\": \"cut-1\", \"sku\": \"\(sku)\", \"location\": \"NYC-01\", \"kind\": \"sale\", \"quantity\": 1}]}"
        let head = "POST /v1/stock/movements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.admin)\r\nContent-Length: \(body.utf8.count + 40)\r\n\r\n"
        try HTTPClient.writeAll(fd, Array((head + body).utf8))
        shutdown(fd, Int32(SHUT_WR))
        _ = try? HTTPClient.readAll(fd)
        close(fd)
        #expect(try s.ledger(sku).count == ledger)
        #expect(try s.server.request("GET", "/healthz").status == 200)
    }

    @Test(arguments: StoreKind.tested) func stockAndUnknownSKUs(_ store: StoreKind) throws {
        let s = try SampleServer(publish: false, on: store)
        let reply = try s.server.request("GET", "/v1/stock/\(sku)", token: s.admin)
        let object = try s.json(reply)
        #expect(object["sku"] as? String == sku && (object["on_hand"] as? [String: Any])?["NYC-01"] != nil)
        #expect(try s.server.request("GET", "/v1/stock/NOPE", token: s.admin).status == 404)
        #expect(try s.server.request("GET", "/v1/availability/NOPE", token: s.admin).status == 404)
    }

    /// An order report posted is imported as `orders import` does it, once.
    @Test(arguments: StoreKind.tested) func ordersByUpload(_ store: StoreKind) throws {
        let s = try SampleServer(publish: false, on: store)
        let report = Array(try Data(contentsOf: URL(fileURLWithPath: CLI.sample("orders/amazon-all-orders.tsv"))))
        let first = try s.server.request("POST", "/v1/orders?channel=amazon", token: s.admin, body: report)
        #expect(first.status == 200, "\(first.text)")
        let summary = try s.json(first)
        #expect(summary["channel"] as? String == "amazon" && (summary["new"] as? Int ?? 0) > 0)
        let again = try s.json(try s.server.request("POST", "/v1/orders", token: s.admin, body: report))
        #expect(again["new"] as? Int == 0 && again["unchanged"] as? Int == summary["lines"] as? Int)
        let refused = try s.server.request("POST", "/v1/orders", token: s.admin, body: Array("order\tsku\tqty\n1\tA\t2\n".utf8))
        #expect(refused.status == 400 && refused.text.contains("cannot tell which marketplace"))
        #expect(try s.server.request("POST", "/v1/orders?channel=etsy", token: s.admin, body: report).status == 400)
        let writer = try s.cli.token("feeds-only", "feeds:read")
        #expect(try s.server.request("POST", "/v1/orders", token: writer, body: report).status == 403)
    }
}
