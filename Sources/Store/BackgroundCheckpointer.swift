import Foundation
internal import GRDB
import Synchronization

/// Copies the write-ahead log into the database file on a thread of its own, for a long-running
/// server whose connections have SQLite's automatic checkpoints turned off (`wal_autocheckpoint = 0`).
///
/// Each commit marks work; every 50 ms, when there is some, a PASSIVE checkpoint runs on a connection
/// of its own: it copies what no reader still needs and never waits for readers or writers, so
/// requests never pay for the bulk of it. Then `finish` runs a second one between two write
/// transactions, which copies only what was committed meanwhile: a log copied to its end is rewound
/// by the next write, where one that writers keep ahead of would grow without end (1.4 GB in eight
/// seconds of single movements before this step existed). A checkpoint is crash-safe at any point
/// (SQLite's own guarantee), so a server killed in the middle of one loses nothing; the last
/// connection to close checkpoints what remains.
final class BackgroundCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let finish: @Sendable () throws -> Void
    private let commits = Atomic<Int>(0)

    init(path: String, finish: @escaping @Sendable () throws -> Void) throws {
        var config = Configuration()
        config.busyMode = .timeout(1)
        connection = try DatabaseQueue(path: path, configuration: config)
        self.finish = finish
        let thread = Thread { [self] in run() }
        thread.name = "unifeed.checkpoint"
        thread.start()
    }

    /// A write transaction committed (or rolled back: then the checkpoint finds nothing to do).
    func wrote() { commits.add(1, ordering: .relaxed) }

    private func run() {
        while true {
            usleep(50_000)
            guard commits.exchange(0, ordering: .relaxed) > 0 else { continue }
            // A failure (the disk is full, a reader holds old frames) leaves the log to the next round.
            _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            try? finish()
        }
    }
}
