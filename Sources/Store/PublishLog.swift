import Foundation
internal import GRDB
import StorePort

/// The publish gate's baseline: how many items each channel last published into an output folder.
final class PublishLog: PublishLogSession {
    let db: Database
    init(db: Database) { self.db = db }

    /// Items of the last publish that went out for `channel` into `outDir`, if any.
    func lastPublished(channel: String, outDir: String) throws -> Int? {
        try Int.fetchOne(
            db,
            sql: """
                SELECT items FROM publish_log WHERE channel = ? AND out_dir = ? AND published = 1 ORDER BY id DESC LIMIT 1
                """, arguments: [channel, outDir])
    }

    /// Records a publish (or a hold-back) of `channel`.
    func record(channel: String, outDir: String, at: String, items: Int, published: Bool, difference: PublishDifference?) throws {
        try db.execute(
            sql: "INSERT INTO publish_log(channel, out_dir, at, items, published, added, removed, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [channel, outDir, at, items, published ? 1 : 0, difference?.added, difference?.removed, difference?.changed])
    }
}
