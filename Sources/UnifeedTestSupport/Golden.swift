import Foundation
import Testing

/// Compares `actual` with the golden file `Golden/NAME` beside the calling test file.
/// A missing golden file (or `RECORD_GOLDEN=1`) records it and fails, so it gets reviewed.
public func expectGolden(
    _ actual: String, _ name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] != nil || !FileManager.default.fileExists(atPath: url.path) {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: url, atomically: true, encoding: .utf8)
        Issue.record("Recorded \(name); review and re-run", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == (try String(contentsOf: url, encoding: .utf8)), sourceLocation: sourceLocation)
}

/// Paths shared by the test targets.
public enum TestPaths {
    /// The repository root (three levels above this file).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared` beside the repository, when present (CI always has it).
    public static var shared: URL? {
        let url = root.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A fresh temporary folder, inside this test process's own folder (see `runFolder`).
    public static func temporaryDirectory() throws -> URL {
        let url = runFolder.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `$TMPDIR/unifeed-tests/run-PID`: every temporary folder of one test process. It is removed when
    /// the process exits (`UNIFEED_KEEP_TEST_FILES=1` keeps it to look at), and a run that was killed
    /// before it could clean up has its folder removed by the next run, so test files never pile up.
    static let runFolder: URL = {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("unifeed-tests")
        let own = getpid()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [] {
            guard name.hasPrefix("run-"), let pid = Int32(name.dropFirst(4)), pid != own else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: base.appendingPathComponent(name)) }
        }
        let url = base.appendingPathComponent("run-\(own)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["UNIFEED_KEEP_TEST_FILES"] == nil {
            atexit { try? FileManager.default.removeItem(at: TestPaths.runFolder) }
        }
        return url
    }()
}
