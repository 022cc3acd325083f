import Config
import Formats
import Foundation
import GRDB
import StorePort
import UnifeedTestSupport

/// Child processes for the fault-injection, concurrency and hostile-input tests.
extension CLI {
    /// Starts `unifeed --db <temp> --config samples/unifeed.toml ARGS…` without waiting; output discarded.
    /// - Parameter stderr: a file the child's standard error goes to (else it is dropped).
    func launch(_ arguments: [String], limits: String? = nil, stderr: String? = nil) throws -> Process {
        let process = Process()
        if let limits {  // shell limits (`ulimit -f 64`) applied to the child only
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(limits); exec \"$0\" \"$@\"", CLI.binary.path, "--db", db, "--config", CLI.config] + arguments
        } else {
            process.executableURL = CLI.binary
            process.arguments = ["--db", db, "--config", CLI.config] + arguments
        }
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "UNIFEED_DB")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        if let stderr, FileManager.default.createFile(atPath: stderr, contents: nil), let handle = FileHandle(forWritingAtPath: stderr) {
            process.standardError = handle
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Runs to the end and returns the wall time in seconds.
    func timed(_ arguments: [String]) throws -> (Result, Double) {
        let start = Date()
        let result = try run(arguments)
        return (result, Date().timeIntervalSince(start))
    }

    /// The database opened read-only, for checks.
    func database() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: db, configuration: configuration)
    }

    /// `PRAGMA integrity_check` and the ledger's invariant (on hand = the sum of the movements).
    func checkDatabase() throws -> String {
        let queue = try database()
        return try queue.read { db in
            let integrity = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer"
            let drift =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM (SELECT sku, location, sum(delta) AS total FROM stock_movements GROUP BY sku, location) m
                        LEFT JOIN stock_levels l USING (sku, location) WHERE l.on_hand IS NOT m.total
                        """) ?? -1
            return integrity == "ok" && drift == 0 ? "ok" : "integrity: \(integrity), ledger rows off: \(drift)"
        }
    }
}

/// Which sanitizer this test run (and the binary it starts) is built with, if any.
enum Sanitizer {
    static let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil
    static let thread = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil
    static var any: Bool { address || thread }
}

/// A deterministic pseudo-random sequence (the kill points are seeded, so a failure can be replayed).
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }

    mutating func fraction() -> Double { Double(next() % 1_000_000) / 1_000_000 }
}
