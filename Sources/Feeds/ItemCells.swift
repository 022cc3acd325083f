import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// What the template outputs of a channel write from an item: one cell per field (with the column's
/// value renames applied), shared by outputs that write the same field the same way.
final class CellLayout {
    struct Key: Equatable {
        let field: FeedField
        let renames: [String: String]?
    }
    private(set) var keys: [Key] = []

    /// The cell of `column`'s values (added when no output asked for it before).
    func cell(for column: PlannedColumn) -> Int {
        let key = Key(field: column.id, renames: column.renames)
        if let known = keys.firstIndex(of: key) { return known }
        keys.append(key)
        return keys.count - 1
    }
}

/// A batch of items as the UTF-8 text of their cells, in one buffer.
///
/// A channel with several outputs (Google's XML and its TSV twin) writes each on a thread of its own.
/// Handing those threads the items themselves made each of them copy every item's forty `String`s:
/// reference counts shared by three threads on two cores, a third of the writers' time. So the
/// channel's thread renders a batch once, and the writers read bytes only.
///
/// `@unchecked Sendable`: immutable once built (its buffer is written by `CellBuilder` before the batch is
/// handed over, and only read afterwards).
final class ItemCells: @unchecked Sendable {
    let keyCount: Int
    let count: Int
    /// The cells' text, one after the other.
    let bytes: [UInt8]
    /// Per item, per key: the cell's start in `bytes` (`-1`: the item has no value) and its end.
    /// `additional_image_link`'s cell holds each image as a 4-byte length and its bytes.
    let bounds: [Int]

    fileprivate init(keyCount: Int, count: Int, bytes: [UInt8], bounds: [Int]) {
        self.keyCount = keyCount
        self.count = count
        self.bytes = bytes
        self.bounds = bounds
    }

    /// Lends a view of the cells for the time of `body` (the writers' per-item reads go through it,
    /// without reference counting or access checks).
    func withView<R>(_ body: (CellView) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { bytes in
            try bounds.withUnsafeBufferPointer { bounds in
                try body(CellView(bytes: bytes, bounds: bounds, keyCount: keyCount))
            }
        }
    }
}

/// Read access to `ItemCells`.
struct CellView {
    let bytes: UnsafeBufferPointer<UInt8>
    let bounds: UnsafeBufferPointer<Int>
    let keyCount: Int

    /// The text of `item`'s cell `key`, or `nil` when the item has no value there.
    @inline(__always)
    func cell(_ item: Int, _ key: Int) -> UnsafeBufferPointer<UInt8>? {
        let at = 2 * (item * keyCount + key)
        let start = bounds[at]
        if start < 0 { return nil }
        return UnsafeBufferPointer(rebasing: bytes[start..<bounds[at + 1]])
    }

    /// Calls `body` with each value of a repeated cell (`additional_image_link`).
    @inline(__always)
    func forEachValue(_ cell: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var i = 0
        while i + 4 <= cell.count {
            let length = Int(UnsafeRawPointer(cell.baseAddress! + i).loadUnaligned(as: UInt32.self))
            try body(UnsafeBufferPointer(rebasing: cell[(i + 4)..<(i + 4 + length)]))
            i += 4 + length
        }
    }
}

/// Renders items into `ItemCells`, a batch at a time.
struct CellBuilder {
    let layout: CellLayout
    private var bytes: [UInt8] = []
    private var bounds: [Int] = []
    private(set) var count = 0

    init(layout: CellLayout) {
        self.layout = layout
    }

    /// Renders `item`'s cells.
    mutating func append(_ item: FeedItem) {
        layout.keys.withUnsafeBufferPointer { keys in
            for k in keys.indices { append(item, keys[k]) }
        }
        count += 1
    }

    @inline(__always)
    private mutating func append(_ item: FeedItem, _ key: CellLayout.Key) {
        let start = bytes.count
        var has = false
        if key.field == .additionalImageLink || key.field == .promotionID {
            for image in item.values(key.field).prefix(10) {
                has = true
                withRenamed(image, key.renames) { value in
                    let at = bytes.count
                    for _ in 0..<4 { bytes.append(0) }
                    Self.appendUTF8(value, to: &bytes)
                    let length = UInt32(bytes.count - at - 4)
                    withUnsafeBytes(of: length) { for (i, b) in $0.enumerated() { bytes[at + i] = b } }
                }
            }
        } else {
            item.withValue(key.field) { value in
                has = true
                withRenamed(value, key.renames) { Self.appendUTF8($0, to: &bytes) }
            }
        }
        bounds.append(has ? start : -1)
        bounds.append(bytes.count)
    }

    /// The cells rendered so far; the builder starts over, with room for a batch like this one (the
    /// buffers go with the cells, and growing new ones from empty copied each batch several times).
    mutating func take() -> ItemCells {
        let cells = ItemCells(keyCount: layout.keys.count, count: count, bytes: bytes, bounds: bounds)
        let (byteCount, boundCount) = (bytes.count, bounds.count)
        bytes = []
        bounds = []
        bytes.reserveCapacity(byteCount + byteCount / 4)
        bounds.reserveCapacity(boundCount + boundCount / 4)
        count = 0
        return cells
    }

    @inline(__always)
    private func withRenamed(_ value: String, _ renames: [String: String]?, _ body: (String) -> Void) {
        if let renames, let renamed = renames[value] { body(renamed) } else { body(value) }
    }

    @inline(__always)
    private static func appendUTF8(_ value: String, to bytes: inout [UInt8]) {
        if value.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: value.utf8)
        }
    }
}

/// A column of an output written from cells, as plain values: writers walk these for every item, and a
/// class per column (`PlannedColumn`, its `ElementTag`) would be retained and released each time.
struct CellColumn {
    enum Kind {
        /// The same bytes for every item (`shipping`, `tax`).
        case constant
        /// The values of a repeated field (`additional_image_link`).
        case repeated
        /// One value or none.
        case value
    }
    let kind: Kind
    /// The column's cell in `ItemCells`.
    let cell: Int
    /// The element's tags and escapes (XML outputs).
    let tag: ElementTag.Parts?
    /// The bytes of a constant column.
    let constant: UnsafeBufferPointer<UInt8>
}

/// An output's `CellColumn`s, owning the constant columns' bytes (the plan's columns own the tags and
/// must outlive it: the writer keeps both).
final class CellColumns {
    private let columns: UnsafeMutableBufferPointer<CellColumn>
    private var constants: [UnsafeMutableBufferPointer<UInt8>] = []

    init(_ plan: [PlannedColumn], constant: (FeedField) -> [UInt8]) {
        columns = .allocate(capacity: plan.count)
        for (i, column) in plan.enumerated() {
            var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            let kind: CellColumn.Kind
            switch column.id {
            case .shipping, .tax:
                kind = .constant
                let value = constant(column.id)
                let made = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, value.count))
                _ = made.initialize(from: value)
                constants.append(made)
                bytes = UnsafeBufferPointer(start: made.baseAddress, count: value.count)
            case .additionalImageLink, .promotionID: kind = .repeated
            default: kind = .value
            }
            (columns.baseAddress! + i).initialize(to: CellColumn(kind: kind, cell: column.cell, tag: column.tag.parts, constant: bytes))
        }
    }

    func withColumns<R>(_ body: (UnsafeBufferPointer<CellColumn>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(columns))
    }

    deinit {
        columns.deinitialize()
        columns.deallocate()
        for c in constants { c.deallocate() }
    }
}
