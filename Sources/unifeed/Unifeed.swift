import ArgumentParser

/// `unifeed`: one product repository, every sales channel.
struct Unifeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unifeed",
        abstract: "Product information and channel feeds from one canonical catalog.",
        usage: "unifeed [--db PATH] [--config PATH] <subcommand>",
        subcommands: [Import.self, Products.self, Stock.self, Channels.self, Validate.self, Publish.self, Audit.self, Orders.self, Demo.self, BenchCSV.self])
}

@main
enum Main {
    static func main() {
        Unifeed.main(GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst())))
    }
}
