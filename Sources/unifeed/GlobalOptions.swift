import ArgumentParser
import Catalog
import Config
import Feeds
import Formats
import Foundation
import Store
import StorePort

#if PostgreSQL
    import PostgresStore
#endif

/// `--db` and `--config`, accepted before or after the subcommand.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The database (default: $UNIFEED_DB, else ./unifeed.sqlite).")
    var db: String?

    @Option(name: .long, help: "The config file (default: ./unifeed.toml when present, else built-in defaults).")
    var config: String?

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["UNIFEED_DB"] ?? "unifeed.sqlite"
    }

    /// The config file these options name: `--config`, else `./unifeed.toml` when present (`nil`: the
    /// built-in defaults).
    var configPath: String? {
        config ?? (FileManager.default.fileExists(atPath: "unifeed.toml") ? "unifeed.toml" : nil)
    }

    /// Loads the config and checks its channel sections against the channels there are; a bad config
    /// prints its errors and exits 1.
    func loadConfig() throws -> UnifeedConfig { try loadConfigAndChannels().config }

    /// The config (checked as `loadConfig` does) and the channels it sees (built-in templates and its
    /// `templates_dir`), read once for the commands that need both.
    func loadConfigAndChannels() throws -> (config: UnifeedConfig, channels: [ChannelDefinition]) {
        guard let path = configPath else {
            return (UnifeedConfig(), try orExitFeeds { try ChannelCatalog.load(templatesDir: nil) })
        }
        let loaded = try orExit { try ConfigLoader.load(path: path) }
        let channels = try orExitFeeds { try ChannelCatalog.load(templatesDir: loaded.templatesDir) }
        let problems = ChannelCatalog.unknownChannelSections(in: loaded, file: path, channels: channels)
        guard problems.isEmpty else {
            for problem in problems { printError(problem.description) }
            throw ExitCode.failure
        }
        return (loaded, channels)
    }

    /// Opens the store the options name: the one place where an implementation of the port is chosen.
    /// Only commands that write (`create`) make a new database; the others refuse a missing one.
    /// `readOnly`: the command only reads (lists, shows, validate, audit), so a database it may not write
    /// still answers it.
    /// `serving`: a long-running server (checkpoints on a thread of their own, see `SQLiteStore`).
    ///
    /// A `postgres://` or `postgresql://` address selects the PostgreSQL store (DESIGN.md §12); its
    /// database must exist (the README's "PostgreSQL" section), and commands that write make its tables.
    func openStore(create: Bool = false, readOnly: Bool = false, durable: Bool = false, serving: Bool = false) throws -> any CatalogStore {
        try Self.openStore(at: databasePath, create: create, readOnly: readOnly, durable: durable, serving: serving)
    }

    /// `openStore` for a database given by path or URL (`db copy` opens two).
    static func openStore(at databasePath: String, create: Bool = false, readOnly: Bool = false, durable: Bool = false, serving: Bool = false) throws
        -> any CatalogStore
    {
        try orExit {
            if databasePath.hasPrefix("postgres://") || databasePath.hasPrefix("postgresql://") {
                #if PostgreSQL
                    return try PostgresStore(url: DatabaseURL(databasePath), readOnly: readOnly)
                #else
                    throw StoreError("--db: error: this build of unifeed has no PostgreSQL store (built without the PostgreSQL trait)")
                #endif
            }
            return try SQLiteStore(path: databasePath, create: create, readOnly: readOnly, durable: durable, backgroundCheckpoints: serving)
        }
    }
}

/// Runs `body`; an `InputError` or `StoreError` is printed to stderr and the command exits 1.
func orExit<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as InputError {
        printError(error.description)
        throw ExitCode.failure
    } catch let error as StoreError {
        printError(error.description)
        throw ExitCode.failure
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension GlobalOptions {
    /// DESIGN.md §3 puts `--db` and `--config` before the subcommand (`unifeed --db X import …`).
    /// Every leaf command takes them through `@OptionGroup`, so leading ones are moved to the end.
    static func hoisted(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--db" || a == "--config", i + 1 < arguments.count {
                leading += [a, arguments[i + 1]]
                i += 2
            } else if a.hasPrefix("--db=") || a.hasPrefix("--config=") {
                leading.append(a)
                i += 1
            } else {
                break
            }
        }
        return Array(arguments[i...]) + leading
    }
}
