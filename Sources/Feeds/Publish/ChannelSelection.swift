import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// Which channels a publish, a validation or an audit covers.
struct ChannelSelection {
    let channels: [ChannelDefinition]
    let config: UnifeedConfig

    /// The named channels (an unknown name, or one that needs settings it lacks, is an error), else every
    /// enabled one.
    func select(_ names: [String]) throws -> [ChannelDefinition] {
        if names.isEmpty {
            return channels.filter { $0.state(config.settings(for: $0.name)).enabled }
        }
        return try names.map { name in
            guard let channel = channels.first(where: { $0.name == name }) else {
                throw FeedError("error: unknown channel (found: \(InputError.displayValue(name))); `unifeed channels list` shows them")
            }
            let (_, why) = channel.state(config.settings(for: name))
            if why.hasPrefix("needs") { throw FeedError("error: channel \(name) \(why)") }
            return channel
        }
    }
}
