import Foundation

/// A bounded hand-off of record batches from the reading thread to the writing one.
///
/// Reading and mapping a row costs about as much CPU as writing it to SQLite, so an import runs them on
/// two threads: the producer parses and maps into batches, the consumer writes them in the import's
/// transaction. The pipe holds at most `capacity` batches, so memory stays flat whatever the file size.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
final class RecordPipe: @unchecked Sendable {
    enum Item {
        case batch([MappedRecord])
        case failed(any Error)
        case end
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private var cancelled = false
    /// Batches the consumer is done with, freed by the producer: memory is returned on the thread that
    /// allocated it, which keeps the two threads off each other's malloc arena lock.
    private var spent: [[MappedRecord]] = []

    init(capacity: Int = 8) { self.capacity = capacity }

    /// Blocks while the pipe is full; returns `false` when the consumer has given up.
    @discardableResult
    func put(_ item: Item) -> Bool {
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
    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Hands a processed batch back to be freed by the producer.
    func recycle(_ batch: consuming [MappedRecord]) {
        condition.lock()
        spent.append(batch)
        condition.unlock()
    }

    /// The consumer stops: wakes and stops the producer.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
