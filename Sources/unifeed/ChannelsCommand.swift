import ArgumentParser
import Catalog
import Config
import Feeds
import Formats
import Foundation
import StorePort

struct Channels: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Channels and their definitions.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every channel: enabled or not, and why; where it is defined; what it writes.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (config, channels) = try global.loadConfigAndChannels()
            for channel in channels {
                let (enabled, why) = channel.state(config.settings(for: channel.name))
                let files = channel.outputs.map { "\(channel.name)/\($0.maxItems == nil ? $0.file : $0.fileName(1).replacingOccurrences(of: "0001", with: "NNNN"))" }
                    .joined(separator: ", ")
                print("\(channel.name)\t\(enabled ? "enabled" : "disabled") (\(why))\t\(files)\t\(channel.title) [\(channel.source)]")
            }
        }
    }
}

/// Like `orExit`, for feed errors too.
func orExitFeeds<T>(_ body: () throws -> T) throws -> T {
    do {
        return try orExit(body)
    } catch let error as FeedError {
        printError(error.description)
        throw ExitCode.failure
    }
}

/// `--now ISO8601`, else the clock.
func parseNow(_ text: String?, config: UnifeedConfig) throws -> Timestamp {
    guard let text else { return Timestamp.now }
    do {
        return try Timestamp.parse(text, timeZone: config.shop.timeZone)
    } catch {
        throw ValidationError("--now: \(error.message) (found: \(text))")
    }
}

/// `unifeed stores list`: the stores local inventory describes.
struct Stores: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The stores (import them with `unifeed import stores`).", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every store, by code.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "A JSON array, keys named as stores.csv's columns.") var json = false

        func run() throws {
            let store = try global.openStore(readOnly: true)
            let stores = try store.reading { try $0.stores() }
            if json {
                let array: JSONValue = .array(
                    stores.map { s in
                        .object([
                            ("store_code", .string(s.code)), ("name", .string(s.name)), ("address", .string(s.address)), ("city", .string(s.city)),
                            ("postal_code", .string(s.postalCode)), ("country", .string(s.country)),
                            ("pickup_method", .string(s.pickupMethod.rawValue)), ("pickup_sla", .string(s.pickupSLA.rawValue)),
                        ])
                    })
                print(array.serialized(pretty: true))
                return
            }
            if stores.isEmpty {
                print("no stores (import them with `unifeed import stores FILE`)")
                return
            }
            print("store_code\tname\tcity\tcountry\tpickup")
            for s in stores { print("\(s.code)\t\(s.name)\t\(s.city)\t\(s.country)\t\(s.pickupMethod.rawValue), \(s.pickupSLA.rawValue)") }
        }
    }
}
