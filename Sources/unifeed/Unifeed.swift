import ArgumentParser
import Feeds

#if canImport(Glibc)
    import Glibc
#endif

/// `unifeed`: one product repository, every sales channel.
struct Unifeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unifeed",
        abstract: "Product information and channel feeds from one canonical catalog.",
        usage: "unifeed [--db PATH] [--config PATH] <subcommand>",
        version: "unifeed \(Unifeed.version) (commit \(BuildInfo.commit))",
        subcommands: [
            Import.self, Products.self, Stock.self, Stores.self, Promotions.self, Channels.self, Validate.self, Publish.self, Audit.self, Orders.self,
        ] + serverCommands + [DatabaseCommand.self, Demo.self, Init.self, ConfigCommand.self, BenchCSV.self])

    /// `serve` and `tokens`, when the package's `Server` trait is on (the default).
    #if Server
        static let serverCommands: [any ParsableCommand.Type] = [Serve.self, Tokens.self]
    #else
        static let serverCommands: [any ParsableCommand.Type] = []
    #endif

    /// The release: the version of the CLI contract (DESIGN.md §3) this build keeps.
    static let version = "0.3.0"
}

@main
enum Main {
    static func main() async {
        // A file size limit (`ulimit -f`, a quota) must fail the write with EFBIG, which the writers report
        // and clean up after, instead of killing the process with SIGXFSZ mid-file.
        signal(SIGXFSZ, SIG_IGN)
        await Unifeed.main(GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst())))
    }
}
