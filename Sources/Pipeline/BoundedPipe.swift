import Foundation

/// A bounded hand-off of batches from one thread to another.
///
/// An import reads and maps rows on one thread and writes them on another (each costs about as much
/// CPU); a publish reads the catalog on one thread and runs each channel on its own. The pipe holds at
/// most `capacity` batches, so memory stays flat whatever the size of the catalog.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
public final class BoundedPipe<Batch>: @unchecked Sendable {
    public enum Item {
        case batch(Batch)
        case failed(any Error)
        case end
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private var cancelled = false
    /// Batches the consumer is done with, freed by the producer: memory is returned on the thread that
    /// allocated it, which keeps the two threads off each other's malloc arena lock.
    private var spent: [Batch] = []

    public init(capacity: Int = 8) { self.capacity = capacity }

    /// Blocks while the pipe is full; returns `false` when the consumer has given up.
    @discardableResult
    public func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        var garbage = spent
        spent.removeAll(keepingCapacity: true)
        condition.unlock()
        garbage.removeAll()  // deallocate outside the lock, on this (the producing) thread
        condition.lock()
        condition.broadcast()
        return true
    }

    /// Blocks until an item is there.
    public func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Hands a processed batch back to be freed by the producer.
    public func recycle(_ batch: consuming Batch) {
        condition.lock()
        spent.append(batch)
        condition.unlock()
    }

    /// The consumer stops: wakes and stops the producer.
    public func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
