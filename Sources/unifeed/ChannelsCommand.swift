import ArgumentParser
import Catalog
import Config
import Feeds
import Formats
import Foundation
import Pipeline
import StorePort

struct Channels: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Channels and their definitions.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every channel: enabled or not, and why; where it is defined; what it writes.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try global.loadConfig()
            let channels = try orExitFeeds { try ChannelCatalog.load(templatesDir: config.templatesDir) }
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
    guard let text else { return Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }
    do {
        return try Timestamp.parse(text, timeZone: config.shop.timeZone)
    } catch {
        throw ValidationError("--now: \(error.message) (found: \(text))")
    }
}
