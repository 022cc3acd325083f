import Foundation

/// Runs the built `unifeed` binary as a child process, as a cron job or a merchandiser would.
public struct CLI: Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// stdout as bytes (a tool's binary output, such as gzip's).
        public var stdoutBytes: [UInt8] = []
        public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public let directory: URL

    /// The database `run` passes as `--db`: `unifeed.sqlite` in the temporary folder, or `database` (a
    /// `postgres://` URL, say).
    public let db: String

    public init(database: String? = nil) throws {
        directory = try TestPaths.temporaryDirectory()
        db = database ?? directory.appendingPathComponent("unifeed.sqlite").path
    }

    /// A path in the temporary folder.
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    public static var config: String { TestPaths.root.appendingPathComponent("samples/unifeed.toml").path }
    public static func sample(_ name: String) -> String { TestPaths.root.appendingPathComponent("samples/\(name)").path }

    /// The `unifeed` executable built beside the test bundle.
    public static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("unifeed")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return TestPaths.root.appendingPathComponent(".build/debug/unifeed")
    }

    /// `unifeed --db <temp> --config samples/unifeed.toml ARGS…` from `cwd` (the temp folder by default).
    public func run(_ arguments: [String], globals: Bool = true, cwd: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = (globals ? ["--db", db, "--config", CLI.config] : []) + arguments
        process.currentDirectoryURL = cwd ?? directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "UNIFEED_DB")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return CLI.collect(process, out: out, err: err)
    }

    /// Runs any program to its end (`/bin/sh`, `gzip`, `sqlite3`, `openssl`…) from `cwd`, collecting
    /// its output; stdin is empty.
    public static func tool(_ path: String, _ arguments: [String], cwd: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return collect(process, out: out, err: err)
    }

    /// Waits for a started child whose stdout and stderr are `out` and `err`, reading both pipes while it
    /// runs so a large output cannot block it.
    public static func collect(_ process: Process, out: Pipe, err: Pipe) -> Result {
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        var result = Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
        result.stdoutBytes = Array(outData)
        return result
    }
}
