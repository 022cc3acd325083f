import Foundation

/// The `[shop]` section: what every channel and every export that lacks it takes from the merchant.
public struct ShopConfig: Hashable, Sendable {
    public var name: String = "Unifeed Shop"
    public var url: String = "https://shop.example"
    public var country: String = "US"
    public var currency: Currency = Currency(code: "USD")!
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    public var linkTemplate: String? = nil
    public var imageBaseURL: String? = nil

    public init() {}
}

/// The `[import]` section: how foreign exports are read.
public struct ImportConfig: Hashable, Sendable {
    /// Akeneo value suffixes to read: `name-en_US`, `description-en_US-ecommerce`, `price-USD`.
    public var akeneoLocale: String = "en_US"
    public var akeneoChannel: String = "ecommerce"
    /// Akeneo currency; `nil` means the shop currency.
    public var akeneoCurrency: Currency? = nil

    public init() {}
}

/// The whole configuration (`unifeed.toml`), with built-in defaults.
public struct UnifeedConfig: Hashable, Sendable {
    public var version: Int = 1
    public var shop = ShopConfig()
    public var importing = ImportConfig()
    public var templatesDir: String? = nil
    public var feeds = FeedsConfig()
    public var orders = OrdersConfig()
    /// `[channels.NAME]`, by channel name.
    public var channels: [String: ChannelSettings] = [:]

    public init() {}

    /// The settings of `channel` (defaults when the config has none).
    public func settings(for channel: String) -> ChannelSettings { channels[channel] ?? ChannelSettings() }
}
