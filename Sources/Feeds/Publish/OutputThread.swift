import Catalog
import Formats
import Foundation
import Pipeline
import StorePort

/// Runs an output writer on a thread of its own, so a channel with several outputs (Google's XML and
/// its TSV twin, Walmart's items and inventory) writes them at the same time instead of one after the
/// other. Items reach the thread in batches through a bounded pipe, so memory stays flat; the first
/// error the writer throws comes back from the next `write` or from `finish`.
final class OutputThread: OutputWriter {
    private let writer: any OutputWriter
    private enum Work {
        case items([[FeedItem]])
        case cells(ItemCells)
    }
    private let pipe = BoundedPipe<Work>(capacity: 8)
    private let failure = FailureBox()
    private let done = DispatchGroup()
    private var pending: [[FeedItem]] = []
    private var pendingItems = 0
    private var stores: [StoreLocation] = []
    private var started = false
    private var ended = false

    init(_ writer: any OutputWriter) {
        self.writer = writer
    }

    private func start() {
        started = true
        // The writer and the stores go to the thread; this side only puts batches until `finish`/`discard`
        // wait for it.
        let context = UnsafeTransfer((writer, stores))
        Workers.startConsumer(of: pipe, group: done, failure: failure, setUp: Publisher.setUpWorkerThread) { work in
            let (writer, stores) = context.value
            switch work {
            case .items(let groups):
                for group in groups { try writer.write(group, stores: stores) }
            case .cells(let cells):
                try (writer as! TemplateOutputWriter).write(cells)
            }
        }
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        if !started {
            self.stores = stores
            start()
        }
        pending.append(items)
        pendingItems += items.count
        if pendingItems >= 256 { try send() }
    }

    /// The wrapped writer, when it can write from rendered cells (`ItemCells`).
    var template: TemplateOutputWriter? {
        (writer as? TemplateOutputWriter).flatMap { $0.scope == .items ? $0 : nil }
    }

    /// Hands a batch of rendered items to the thread (a writer that `template` names).
    func write(_ cells: ItemCells) throws {
        if !started { start() }
        if !pipe.put(.batch(.cells(cells))) {
            throw failure.first ?? FeedError("error: an output thread stopped")
        }
    }

    private func send() throws {
        let batch = pending
        pending = []
        pendingItems = 0
        if !pipe.put(.batch(.items(batch))) {
            throw failure.first ?? FeedError("error: an output thread stopped")
        }
    }

    /// Hands over what is left, waits for the thread, then finishes the files.
    func finish() throws {
        if started && !ended {
            if !pending.isEmpty { try send() }
            ended = true
            pipe.put(.end)
            done.wait()
        }
        if let error = failure.first { throw error }
        try writer.finish()
    }

    func commit() throws -> [FeedFile] { try writer.commit() }

    func discard() {
        if started && !ended {
            ended = true
            pipe.put(.failed(FeedError("discarded")))
            done.wait()
        }
        writer.discard()
    }
}
