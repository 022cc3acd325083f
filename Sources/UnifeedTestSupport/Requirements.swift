import Foundation

/// What a test needs from the machine beyond Swift, checked before it runs: a test whose need is not
/// met is skipped through the test framework (`.enabled(if: Requirements.x, "reason")`), so the
/// summary counts it as skipped with its reason instead of as passed. `.ci/run` installs every tool
/// these name, and CI always has `../shared` beside the repository.
public enum Requirements {
    /// `../shared` beside the repository (the specs, schemas and real exports, read in place).
    public static var shared: Bool { TestPaths.shared != nil }

    /// A file under `../shared`.
    public static func shared(_ path: String) -> Bool {
        TestPaths.shared.map { FileManager.default.fileExists(atPath: $0.appendingPathComponent(path).path) } ?? false
    }

    /// `/usr/bin/python3` can import `module`.
    public static func python3(importing module: String) -> Bool {
        executable("/usr/bin/python3") && (try? CLI.tool("/usr/bin/python3", ["-c", "import \(module)"]))?.status == 0
    }

    /// An executable at `path`.
    public static func executable(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// The `unifeed` binary has `serve` (built with the package's `Server` trait, the default; a build
    /// with `--disable-default-traits` has not).
    public static let serverBuilt: Bool = (try? CLI.tool(CLI.binary.path, ["serve", "--help"]))?.status == 0

    /// A PostgreSQL server for the tests (`$UNIFEED_TEST_POSTGRES`, set by `.ci/run`) and `psql`.
    public static var postgres: Bool { TestPostgres.url != nil && executable("/usr/bin/psql") }
    public static let postgresReason =
        "no PostgreSQL server: set UNIFEED_TEST_POSTGRES to a postgres:// URL whose role may create databases (.ci/run starts one with scripts/pg-test-cluster.sh)"

    /// Running as root with `setpriv` at hand (to run the binary as an unprivileged user).
    public static var rootWithSetpriv: Bool { getuid() == 0 && executable("/usr/bin/setpriv") }
}
