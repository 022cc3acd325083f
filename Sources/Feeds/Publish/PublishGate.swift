import Catalog
import Config
import Foundation
import StorePort

/// The publish gate (DESIGN.md §6): a channel whose item count would fall to zero, or by more than
/// `[feeds] max_drop_percent` against its last publish into the same folder, is held back (unless
/// `--force`), and its previous files stay.
struct PublishGate {
    let maxDropPercent: Int

    /// Why a channel with `items` now, and `previous` at its last publish, is held back; `nil`: it passes.
    func holdBack(items: Int, previous: Int?) -> String? {
        if items == 0 { return "the feed would have no items" }
        if let previous, previous > 0, items * 100 < previous * (100 - maxDropPercent) {
            return "items would fall from \(previous) to \(items), more than \(maxDropPercent)%"
        }
        return nil
    }
}
