public import Foundation

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
