public import Catalog
public import Foundation

/// The `[import]` section: how foreign exports are read.
public struct ImportConfig: Hashable, Sendable {
    /// Akeneo value suffixes to read: `name-en_US`, `description-en_US-ecommerce`, `price-USD`.
    public var akeneoLocale: String = "en_US"
    public var akeneoChannel: String = "ecommerce"
    /// Akeneo currency; `nil` means the shop currency.
    public var akeneoCurrency: Currency? = nil
    /// `[import.woocommerce.headers]`: localized column name → WooCommerce's English one, added to (and
    /// overriding) the built-in translations.
    public var wooCommerceHeaders: [String: String] = [:]

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
    /// What the config was read from: the SHA-256 of the file's bytes, or `built-in` for the defaults.
    /// A publish records it; `audit` refuses a config other than the publish's.
    public var digest = "built-in"

    public init() {}

    /// The settings of `channel` (defaults when the config has none).
    public func settings(for channel: String) -> ChannelSettings { channels[channel] ?? ChannelSettings() }
}

/// `[orders]` settings.
public struct OrdersConfig: Hashable, Sendable {
    /// Refunded units go back on stock (off by default: a refund is often for goods never returned).
    public var restockRefunds = false
    public init() {}
}
