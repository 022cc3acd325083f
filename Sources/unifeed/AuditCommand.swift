import ArgumentParser
import Catalog
import Config
import Feeds
import Formats
import Foundation
import StorePort

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the published feeds back and check every SKU's price, sale price and availability against the store.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The folder publish wrote.") var out: String = "feeds"

    func run() throws {
        let (config, definitions) = try global.loadConfigAndChannels()
        let store = try global.openStore(readOnly: true)
        var auditor = Auditor(store: store, config: config, channels: definitions)
        auditor.progress = true
        let result = try orExitFeeds { try auditor.run(outDir: out) }
        for finding in result.findings { printError(finding.description) }
        print("audit: \(result.rows) rows checked, \(result.findings.count) mismatches")
        if !result.findings.isEmpty { throw ExitCode.failure }
    }
}
