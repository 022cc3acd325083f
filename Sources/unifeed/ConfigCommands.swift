import ArgumentParser
import Config
import Feeds
import Foundation

/// `unifeed init`: a commented starter config, never over an existing file.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a commented starter unifeed.toml (never overwrites).")
    @OptionGroup var global: GlobalOptions

    /// Where to write it: `--config`, else `./unifeed.toml`.
    var config: String { global.config ?? "unifeed.toml" }

    /// The starter: every section a new shop sets first, the rest commented out with what it does.
    static let starter = """
        # Unifeed configuration. Check it with `unifeed config check`; every key is described in the README
        # ("Configuration"). Lines starting with # are comments.
        version = 1

        [shop]
        name = "My Shop"
        url = "https://shop.example"
        country = "US"                 # ISO 3166 country the feeds target
        currency = "USD"               # for rows and exports that carry none (ISO 4217)
        timezone = "America/New_York"  # dates without a zone are read in it
        # How product links are made for rows without one, at import: {product_id} (or {handle}) and {sku}.
        link_template = "https://shop.example/products/{product_id}?variant={sku}"
        # image_base_url = "https://cdn.shop.example/"   # for relative image paths

        # [import.akeneo]
        # locale = "en_US"             # which Akeneo values to read: name-en_US, description-en_US-ecommerce
        # channel = "ecommerce"
        # currency = "USD"             # price-USD

        [feeds]
        max_drop_percent = 20          # the publish gate: hold a channel back when its items fall by more than this

        # [orders]
        # restock_refunds = false      # refunded units go back on stock

        # One section per channel (`unifeed channels list` shows them and why one is off):
        # [channels.google]
        # safety_stock = 1             # units held back from the channel
        # share = 100                  # percent of the rest offered
        # [channels.google-local]
        # enabled = false              # local inventory needs stores (`unifeed import stores`)
        # [channels.amazon]            # marketplaces stay off until configured
        # seller_id = "A2EXAMPLE"
        # [channels.amazon.product_types]
        # "Apparel > Tops" = "SHIRT"   # your product_type prefix = Amazon's productType

        """

    func run() throws {
        guard !FileManager.default.fileExists(atPath: config) else {
            printError("\(config): error: the file exists; init never overwrites (check it with `unifeed config check`, or name another file with --config)")
            throw ExitCode.failure
        }
        guard FileManager.default.createFile(atPath: config, contents: Data(Init.starter.utf8)) else {
            let folder = (config as NSString).deletingLastPathComponent
            printError("\(config): error: cannot write the file (is the folder \(folder.isEmpty ? "." : folder) there and writable?)")
            throw ExitCode.failure
        }
        print("\(config): written; edit [shop], then check it with `unifeed --config \(config) config check`")
    }
}

/// `unifeed config check`: the config's errors, each at its file and line.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Check the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the config, naming file and line of every problem.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            guard let path = global.configPath else {
                print("no config file (./unifeed.toml or --config): the built-in defaults apply; `unifeed init` writes a starter")
                return
            }
            let (config, channels) = try global.loadConfigAndChannels()
            let enabled = channels.filter { $0.state(config.settings(for: $0.name)).enabled }.map(\.name)
            print("\(path): ok; channels on: \(enabled.isEmpty ? "none" : enabled.joined(separator: ", "))")
        }
    }
}
