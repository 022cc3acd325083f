import ArgumentParser
import Catalog
import Config
import Foundation
import StorePort

/// `unifeed promotions list`: the promotions the store holds (DESIGN.md §10).
struct Promotions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The promotions (import them with `unifeed import promotions`).", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every promotion, by id, archived ones included.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "A JSON array, keys named as promotions.csv's columns (times in UTC).") var json = false

        func run() throws {
            let config = try global.loadConfig()
            let store = try global.openStore(readOnly: true)
            let promotions = try orExit { try store.reading { try $0.promotions() } }
            if json {
                print(JSONValue.array(promotions.map(\.json)).serialized(pretty: true))
                return
            }
            if promotions.isEmpty {
                print("no promotions (import them with `unifeed import promotions FILE`)")
                return
            }
            let tz = config.shop.timeZone
            print("promotion_id\tdiscount\tprice_effect\tredemption\twindow\tstatus\ttitle")
            for p in promotions {
                let window = "\(p.start.iso8601(in: tz))/\(p.end.iso8601(in: tz))"
                print("\(p.id)\t\(p.discountText)\t\(p.priceEffect.rawValue)\t\(p.redemption.rawValue)\t\(window)\t\(p.status.rawValue)\t\(p.title)")
            }
        }
    }
}

extension Promotion {
    /// `20% off`, `10.00 USD off`, `free shipping`.
    var discountText: String {
        switch discount {
        case .percentOff(let p): "\(p)% off"
        case .moneyOff(let m): "\(m) off"
        case .freeShipping: "free shipping"
        }
    }

    var json: JSONValue {
        var value: JSONValue = .null
        switch discount {
        case .percentOff(let p): value = .int(p)
        case .moneyOff(let m): value = .decimal(m.amountString)
        case .freeShipping: break
        }
        return .object([
            ("promotion_id", .string(id)), ("title", .string(title)), ("discount_type", .string(discount.type.rawValue)), ("value", value),
            ("currency", .optional(currency?.code)),
            ("coupon_code", .optional(couponCode)), ("applies_to", .string(appliesTo.rawValue)), ("targets", .array(targets.map(JSONValue.string))),
            ("start", .string(start.iso8601UTC)), ("end", .string(end.iso8601UTC)), ("redemption", .string(redemption.rawValue)),
            ("price_effect", .string(priceEffect.rawValue)), ("minimum_purchase", .optional(minimumPurchase?.amountString)),
            ("status", .string(status.rawValue)), ("promotion_url", .optional(promotionURL)), ("fine_print", .optional(finePrint)),
            ("display_start", .optional(displayStart?.iso8601UTC)), ("display_end", .optional(displayEnd?.iso8601UTC)),
        ])
    }
}
