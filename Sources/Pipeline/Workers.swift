public import Foundation

/// Hands a value to another thread whose use of it the caller orders: the value goes to the thread and
/// the caller does not touch it again until the thread is joined (or never).
///
/// `@unchecked Sendable`: the compiler cannot see that ordering; every use of `UnsafeTransfer` names it.
public struct UnsafeTransfer<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// The first error of several threads.
///
/// `@unchecked Sendable`: all state is guarded by `lock`.
public final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var firstError: (any Error)?

    public init() {}

    public var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return firstError
    }

    public func record(_ error: any Error) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }
}

/// The producer/consumer loops of the import (a reading thread feeding the writing one), the publish (a
/// catalog reader feeding one thread per channel) and a channel's outputs (one thread per file), in one
/// place: threads with 8 MiB stacks, batches through a `BoundedPipe`, batches freed by the thread that
/// made them, and the first error stopping both sides.
///
/// The helpers are `@inlinable`, so that each client's loop is specialized for its batch type: the
/// batch then moves out of the pipe's item and back to the producer without a copy, and its last
/// release (the freeing) stays on the producing thread. Unspecialized, the item kept a copy until the
/// end of the loop's body, the freeing fell to the consuming thread about half the time, and publishing
/// every channel at 1M took 9% longer in two alternating runs.
public enum Workers {
    /// Starts a thread that runs `produce`, which puts batches into `pipe` (a `false` from `put` means the
    /// consumer gave up: stop). The pipe then carries `.end`, or `.failed` with what `produce` threw.
    ///
    /// `produce` and what it captures belong to the new thread from here on (the caller hands them over).
    @inlinable
    public static func startProducer<Batch>(into pipe: BoundedPipe<Batch>, _ produce: @escaping (BoundedPipe<Batch>) throws -> Void) {
        // Each closure in a transfer of its own: a tuple holding a closure, captured by a closure in
        // this generic function, crashed at run time (Swift 6.3.1, unspecialized generic code).
        let work = UnsafeTransfer(produce)
        start {
            let produce = work.value
            do {
                try produce(pipe)
                pipe.put(.end)
            } catch {
                pipe.put(.failed(error))
            }
        }
    }

    /// Takes batches from `pipe` on the calling thread and hands each to `consume`, then back to the
    /// producer to be freed, until the producer ends (returns) or fails (throws its error). An error of
    /// `consume` cancels the pipe (the producer stops) and is thrown.
    @inlinable
    public static func drain<Batch>(_ pipe: BoundedPipe<Batch>, _ consume: (Batch) throws -> Void) throws {
        do {
            loop: while true {
                // The item is consumed into the switch, so that once the batch is handed back no
                // reference stays here: the producing thread frees it (otherwise the last release, and the
                // freeing, often fell to this thread, the import's bottleneck).
                let item = pipe.take()
                switch consume item {
                case .batch(let batch):
                    try consume(batch)
                    pipe.recycle(batch)
                case .failed(let error): throw error
                case .end: break loop
                }
            }
        } catch {
            pipe.cancel()
            throw error
        }
    }

    /// Starts a thread that drains `pipe` into `consume` (`setUp` runs first, on that thread). The thread
    /// is in `group` until it ends; the first error of `consume` goes to `failure` and cancels the pipe.
    /// A `.failed` item from the producer ends the thread quietly (the producer reports its own error).
    ///
    /// `setUp`, `consume` and what they capture belong to the new thread until `group` is waited on.
    @inlinable
    public static func startConsumer<Batch>(
        of pipe: BoundedPipe<Batch>, group: DispatchGroup, failure: FailureBox, setUp: @escaping () -> Void = {},
        _ consume: @escaping (Batch) throws -> Void
    ) {
        let setUp = UnsafeTransfer(setUp), work = UnsafeTransfer(consume)
        group.enter()
        start {
            defer { group.leave() }
            let consume = work.value
            setUp.value()
            do {
                loop: while true {
                    let item = pipe.take()
                    switch consume item {
                    case .batch(let batch):
                        try consume(batch)
                        pipe.recycle(batch)
                    case .failed, .end: break loop
                    }
                }
            } catch {
                failure.record(error)
                pipe.cancel()
            }
        }
    }

    /// One producer on the calling thread handing every batch to several consumers, each on a thread
    /// of its own behind a bounded pipe (the publish's channels, the audit's outputs): start each
    /// consumer, then `run` the producer, which `send`s batches to all of them.
    public final class Broadcast<Batch> {
        public let pipes: [BoundedPipe<Batch>]
        @usableFromInline let failures = FailureBox()
        @usableFromInline let done = DispatchGroup()
        @usableFromInline var started = false

        public init(consumers: Int, capacity: Int = 16) { pipes = (0..<consumers).map { _ in BoundedPipe<Batch>(capacity: capacity) } }

        /// Starts consumer `i` (see `Workers.startConsumer`).
        @inlinable
        public func startConsumer(_ i: Int, setUp: @escaping () -> Void = {}, _ consume: @escaping (Batch) throws -> Void) {
            started = true
            Workers.startConsumer(of: pipes[i], group: done, failure: failures, setUp: setUp, consume)
        }

        /// Hands `batch` to every consumer.
        @inlinable
        public func send(_ batch: Batch) { for pipe in pipes { pipe.put(.batch(batch)) } }

        /// Runs `produce`, then ends every pipe, waits for the consumers and throws the first error of
        /// theirs. When `produce` throws, every pipe fails, the consumers started are waited for, and
        /// its error is thrown.
        @inlinable
        public func run(_ produce: () throws -> Void) throws {
            do {
                try produce()
            } catch {
                for pipe in pipes { pipe.put(.failed(error)) }
                if started { done.wait() }
                throw error
            }
            for pipe in pipes { pipe.put(.end) }
            done.wait()
            if let error = failures.first { throw error }
        }
    }

    @usableFromInline
    static func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 8 << 20
        thread.start()
    }
}
