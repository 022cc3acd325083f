import Dispatch
import Foundation
import Import
import StoreTestSupport
import Testing
import UnifeedTestSupport

/// A program may call the store from any thread, Swift's cooperative pool included, and block it there.
/// The PostgreSQL store's COPYs run `async` code; on the pool, they waited for a thread that the
/// blocked callers held, and the import never finished (the first in-process PostgreSQL tests hung).
@Suite struct BlockedPoolTests {
    /// Values handed to plain threads (the harness is used by one thread at a time).
    final class Shared: @unchecked Sendable {
        let harness: ImportHarness
        var result: Result<ImportSummary, any Error>?
        init(_ harness: ImportHarness) { self.harness = harness }
    }

    @Test(.enabled(if: StoreKind.tested.contains(.postgres), Comment(rawValue: StoreKind.postgresReason)), .timeLimit(.minutes(2)))
    func aPostgreSQLImportFinishesWhileEveryCooperativeThreadIsBlocked() async throws {
        let shared = Shared(try ImportHarness(.postgres))
        // New variants: the PostgreSQL store writes them with COPY, 2,048 at a time.
        let catalog = try shared.harness.write(Synthetic.catalog(5_000, price: "9.99"), to: "catalog.csv")
        let width = ProcessInfo.processInfo.activeProcessorCount
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        // Every thread of the pool blocked (this test's own task suspends below and leaves its thread to them).
        for _ in 0..<width {
            Task.detached {
                started.signal()
                release.wait()
            }
        }
        let finished: Bool = await withCheckedContinuation { continuation in
            Thread {
                for _ in 0..<width { started.wait() }
                let done = DispatchSemaphore(value: 0)
                Thread {
                    shared.result = Result { try shared.harness.importFile(catalog) }
                    done.signal()
                }.start()
                let finished = done.wait(timeout: .now() + 60) == .success
                for _ in 0..<width { release.signal() }
                if !finished { done.wait() }  // it may finish once the pool is free again
                continuation.resume(returning: finished)
            }.start()
        }
        #expect(finished, "the import waited for a thread of the blocked pool")
        let summary = try #require(try shared.result?.get())
        #expect(summary.new == 5_000 && summary.rejected == 0)
    }
}
