import Foundation
import Pipeline
import Testing

/// The one producer/consumer helper behind the import (a reading thread feeding the writing one), the
/// publish (a reader feeding one thread per channel) and a channel's output threads.
@Suite struct WorkersTests {
    struct Stop: Error, Equatable { var at: Int }

    /// Every batch arrives once, in order, through a pipe smaller than the run.
    @Test(arguments: [1, 2, 8])
    func aProducerThreadHandsEveryBatchInOrder(capacity: Int) throws {
        let pipe = BoundedPipe<[String]>(capacity: capacity)
        Workers.startProducer(into: pipe) { pipe in
            for i in 0..<2_000 { guard pipe.put(.batch(["a\(i)", "b\(i)"])) else { return } }
        }
        var seen: [String] = []
        try Workers.drain(pipe) { seen += $0 }
        #expect(seen.count == 4_000)
        #expect(seen.prefix(4) == ["a0", "b0", "a1", "b1"] && seen.last == "b1999")
    }

    /// What the producer throws reaches the consumer; nothing after it is handed on.
    @Test func theProducersErrorReachesTheConsumer() throws {
        let pipe = BoundedPipe<Int>(capacity: 2)
        Workers.startProducer(into: pipe) { pipe in
            for i in 0..<10 { pipe.put(.batch(i)) }
            throw Stop(at: 10)
        }
        var seen: [Int] = []
        #expect(throws: Stop(at: 10)) { try Workers.drain(pipe) { seen.append($0) } }
        #expect(seen == Array(0..<10))
    }

    /// A consumer that fails stops the producer (its `put` answers false) instead of leaving it blocked
    /// on a full pipe.
    @Test func aFailingConsumerStopsTheProducer() throws {
        let pipe = BoundedPipe<Int>(capacity: 1)
        let stopped = DispatchSemaphore(value: 0)
        let produced = Counter()
        Workers.startProducer(into: pipe) { pipe in
            for i in 0..<1_000_000 {
                guard pipe.put(.batch(i)) else { break }
                produced.add()
            }
            stopped.signal()
        }
        #expect(throws: Stop(at: 5)) {
            try Workers.drain(pipe) { if $0 == 5 { throw Stop(at: 5) } }
        }
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        #expect(produced.value < 100)
    }

    /// Consumer threads: each takes its own pipe; the first error is kept and the others finish.
    @Test func consumerThreadsRecordTheFirstError() throws {
        let group = DispatchGroup()
        let failure = FailureBox()
        let totals = (0..<3).map { _ in Counter() }
        let pipes = (0..<3).map { _ in BoundedPipe<[Int]>(capacity: 4) }
        for (pipe, total) in zip(pipes, totals) {
            Workers.startConsumer(of: pipe, group: group, failure: failure) { batch in
                for n in batch {
                    if n < 0 { throw Stop(at: n) }
                    total.add(n)
                }
            }
        }
        for i in 0..<100 {
            for (k, pipe) in pipes.enumerated() { pipe.put(.batch(k == 1 && i == 50 ? [-1] : [1, 2])) }
        }
        for pipe in pipes { pipe.put(.end) }
        group.wait()
        #expect(failure.first as? Stop == Stop(at: -1))
        #expect(totals[0].value == 300 && totals[2].value == 300)
        #expect(totals[1].value == 150)
    }
}

/// A count shared with another thread.
final class Counter: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.withLock { n } }
    func add(_ k: Int = 1) { lock.withLock { n += k } }
}

/// The progress line long commands show on a terminal (never in a log: see `TerminalProgress`).
@Suite struct TerminalProgressTests {
    @Test(arguments: [
        (450_000, 1_000_000, 5.0, "publish: 45% (450,000 of 1,000,000 SKUs), about 6 s left"),
        (100, 1_000_000, 10.0, "publish: 0% (100 of 1,000,000 SKUs), about 1667 min left"),
        (1_000_000, 1_000_000, 9.0, "publish: 100% (1,000,000 of 1,000,000 SKUs)"),
        (4096, 8192, 0.5, "publish: 50% (4,096 of 8,192 SKUs)"),
    ])
    func aLineSaysHowFarAndHowLong(done: Int, total: Int, elapsed: Double, expected: String) {
        #expect(TerminalProgress.line(label: "publish", unit: "SKUs", done: done, total: total, elapsed: elapsed) == expected)
    }

    @Test func withoutATotalItCounts() {
        #expect(TerminalProgress.line(label: "import", unit: "rows", done: 1_234_567, total: nil, elapsed: 3) == "import: 1,234,567 rows")
    }
}
