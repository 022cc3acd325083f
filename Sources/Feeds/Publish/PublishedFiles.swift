import Formats
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The files of the last good publish in an output folder, as `publish-report.json` lists them, for
/// delivery (`unifeed serve`): nothing the report does not list can be opened, so no path can leave
/// the folder.
///
/// A publish renames its files into place and then writes the report while holding the folder's swap
/// lock (`.unifeed-swap.lock`) exclusively; `open` reads the report and opens the file while holding
/// it shared. The descriptor keeps that version whatever is renamed over it later, so a download that
/// overlaps a publish is one whole version, and its ETag (the report's SHA-256) is that version's.
public enum PublishedFiles {
    /// A published file, opened: close `descriptor` when done.
    public struct Opened: Sendable {
        public let descriptor: Int32
        public let bytes: Int
        public let sha256: String
        /// The file's modification time.
        public let modified: Date
    }

    public static let swapLockName = ".unifeed-swap.lock"

    /// Takes the swap lock of `outDir` (blocking); returns the descriptor to pass to `unlock` (-1 when
    /// the lock file cannot be made: a read-only folder has no publish to wait for). `waiting: false`:
    /// `nil` instead of waiting when a publish holds it.
    static func lock(outDir: String, exclusive: Bool, waiting: Bool = true) -> Int32? {
        let fd = Glibc.open((outDir as NSString).appendingPathComponent(swapLockName), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        let readOnlyFD = fd >= 0 ? fd : Glibc.open((outDir as NSString).appendingPathComponent(swapLockName), O_RDONLY | O_CLOEXEC)
        if readOnlyFD >= 0 && flock(readOnlyFD, (exclusive ? LOCK_EX : LOCK_SH) | (waiting ? 0 : LOCK_NB)) != 0 && !waiting {
            close(readOnlyFD)
            return nil
        }
        return readOnlyFD
    }

    static func unlock(_ fd: Int32) {
        if fd >= 0 { close(fd) }
    }

    /// The files a report lists (path → size and SHA-256), parsed once per report: a publish writes a
    /// new report under a new name and renames it over the old, so the same inode, size and time are
    /// the same report (a 1M-variant report is about 30 KB of JSON, which every feed request would
    /// otherwise parse).
    static func listing(_ reportPath: String) -> [String: (bytes: Int, sha256: String)]? {
        var st = stat()
        guard stat(reportPath, &st) == 0 else { return nil }
        let key = [UInt64(st.st_dev), UInt64(st.st_ino), UInt64(st.st_size), UInt64(st.st_mtim.tv_sec), UInt64(st.st_mtim.tv_nsec)]
        if let hit = cache.withLock({ $0[reportPath] }), hit.key == key { return hit.files }
        guard let data = FileManager.default.contents(atPath: reportPath), let report = try? JSONReader.parse([UInt8](data), file: reportPath)
        else { return nil }
        var files: [String: (bytes: Int, sha256: String)] = [:]
        for entry in report["channels"]?.array ?? [] {
            for file in entry["files"]?.array ?? [] {
                guard let path = file["path"]?.string, let bytes = file["bytes"]?.numberText.flatMap({ Int($0) }), let sha = file["sha256"]?.string
                else { continue }
                files[path] = (bytes, sha)
            }
        }
        cache.withLock { $0[reportPath] = (key, files) }
        return files
    }

    private static let cache = LockedCache()

    /// The parsed listings by report path.
    final class LockedCache: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String: (key: [UInt64], files: [String: (bytes: Int, sha256: String)])] = [:]
        func withLock<T>(_ body: (inout [String: (key: [UInt64], files: [String: (bytes: Int, sha256: String)])]) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&entries)
        }
    }

    /// What `open(outDir:channel:file:waiting:)` found.
    public enum Attempt: Sendable {
        case opened(Opened)
        /// The report does not list it (or there is no report).
        case missing
        /// A publish is renaming files (only when not waiting).
        case busy
    }

    /// Opens `channel/file` of the last good publish under `outDir`; `nil` when the report does not
    /// list it (or there is no report). Blocks while a publish is renaming files: call it off the event
    /// loop (or try `waiting: false` first).
    public static func open(outDir: String, channel: String, file: String) -> Opened? {
        if case .opened(let opened) = open(outDir: outDir, channel: channel, file: file, waiting: true) { return opened }
        return nil
    }

    /// `open(outDir:channel:file:)`, or `.busy` at once when `waiting` is false and a publish holds the
    /// swap lock. Without the wait, the rest is a few system calls on a local folder, short enough for
    /// an event loop.
    public static func open(outDir: String, channel: String, file: String, waiting: Bool) -> Attempt {
        // Names only: a `/`, a NUL or a dot-name never matches a report entry, and is refused before
        // anything is read.
        for part in [channel, file] {
            guard !part.isEmpty, !part.hasPrefix("."), !part.contains("/"), !part.contains("\0") else { return .missing }
        }
        guard let lockFD = lock(outDir: outDir, exclusive: false, waiting: waiting) else { return .busy }
        defer { unlock(lockFD) }
        let reportPath = (outDir as NSString).appendingPathComponent("publish-report.json")
        guard let entry = listing(reportPath)?["\(channel)/\(file)"] else { return .missing }
        let path = (outDir as NSString).appendingPathComponent(channel + "/" + file)
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return .missing }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) == entry.bytes else {
            close(fd)
            return .missing
        }
        let modified = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec))
        return .opened(Opened(descriptor: fd, bytes: entry.bytes, sha256: entry.sha256, modified: modified))
    }
}
