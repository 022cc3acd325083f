public import Foundation

/// A point in time as whole seconds since 1970-01-01T00:00:00Z, parsed from ISO 8601 text.
///
/// Dates without a zone are read in the shop's time zone (DESIGN.md §3). Accepted forms:
/// `2026-11-20`, `2026-11-20T09:30`, `2026-11-20T09:30:00`, `2026-11-20 09:30:00` (WooCommerce), each
/// optionally followed by `Z`, `+01:00`, `-0500`. Anything else (`31/12/2026`, `Nov 20`) is an error.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// `date`, to the whole second (rounded down).
    public init(_ date: Date) { self.init(secondsSinceEpoch: Int64(date.timeIntervalSince1970)) }

    /// Now, to the whole second.
    public static var now: Timestamp { Timestamp(Date()) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    public static let expectedFormat = "expected an ISO 8601 date such as 2026-11-20 or 2026-11-20T09:30:00-05:00"

    /// Parses `text`. A date with no time of day is the start of that day, or with `endOfDay` the start of
    /// the next day (so a sale ending on `2026-11-30` runs through the whole of the 30th).
    public static func parse(_ text: String, timeZone: TimeZone, endOfDay: Bool = false) throws(ValueError)
        -> Timestamp
    {
        let b = Array(text.trimmingASCIIWhitespace().utf8)
        var i = 0
        func number(_ count: Int) throws(ValueError) -> Int {
            guard i + count <= b.count else { throw ValueError(expectedFormat) }
            var n = 0
            for k in i..<(i + count) {
                guard b[k] >= 48 && b[k] <= 57 else { throw ValueError(expectedFormat) }
                n = n * 10 + Int(b[k] - 48)
            }
            i += count
            return n
        }
        func expect(_ c: UInt8) throws(ValueError) {
            guard i < b.count, b[i] == c else { throw ValueError(expectedFormat) }
            i += 1
        }
        let year = try number(4)
        try expect(UInt8(ascii: "-"))
        let month = try number(2)
        try expect(UInt8(ascii: "-"))
        let day = try number(2)
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else {
            throw ValueError("no such calendar date, \(expectedFormat)")
        }
        var hour = 0, minute = 0, second = 0
        var hasTime = false
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") {
            i += 1
            hasTime = true
            hour = try number(2)
            try expect(UInt8(ascii: ":"))
            minute = try number(2)
            if i < b.count, b[i] == UInt8(ascii: ":") {
                i += 1
                second = try number(2)
                if i < b.count, b[i] == UInt8(ascii: ".") {  // fractional seconds are dropped
                    i += 1
                    while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 }
                }
            }
            guard hour <= 23, minute <= 59, second <= 59 else {
                throw ValueError("no such time of day, \(expectedFormat)")
            }
        }
        var offset: Int? = nil
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") && hasTime {
                i += 1
                offset = 0
            } else if (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) && hasTime {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                let h = try number(2)
                if i < b.count, b[i] == UInt8(ascii: ":") { i += 1 }
                let m = try number(2)
                guard h <= 14, m <= 59 else { throw ValueError("bad UTC offset, \(expectedFormat)") }
                offset = sign * (h * 3600 + m * 60)
            }
        }
        guard i == b.count else { throw ValueError(expectedFormat) }
        var local =
            Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        if endOfDay && !hasTime { local += 86_400 }
        if let offset { return Timestamp(secondsSinceEpoch: local - Int64(offset)) }
        return Timestamp(secondsSinceEpoch: local - Int64(zoneOffset(localSeconds: local, timeZone: timeZone)))
    }

    /// The UTC offset in force at a local wall-clock time (the earlier offset on a repeated hour).
    static func zoneOffset(localSeconds: Int64, timeZone: TimeZone) -> Int {
        let guess = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(localSeconds)))
        let refined = timeZone.secondsFromGMT(
            for: Date(timeIntervalSince1970: TimeInterval(localSeconds - Int64(guess))))
        return refined
    }

    /// ISO 8601 with seconds and the zone's offset at that instant: `2026-11-20T00:00:00-05:00`.
    public func iso8601(in timeZone: TimeZone, seconds: Bool = true) -> String {
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch)))
        let local = secondsSinceEpoch + Int64(offset)
        let days = Int(floorDiv(local, 86_400))
        let rest = Int(local - Int64(days) * 86_400)
        let (y, m, d) = Timestamp.civilFromDays(days)
        var s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2))"
        if seconds { s += ":\(pad(rest % 60, 2))" }
        if offset == 0 && (timeZone.identifier == "UTC" || timeZone.identifier == "GMT") { return s + "Z" }
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        return s + "\(sign)\(pad(a / 3600, 2)):\(pad(a % 3600 / 60, 2))"
    }

    /// ISO 8601 in UTC with a `Z`.
    public var iso8601UTC: String { iso8601(in: TimeZone(identifier: "UTC") ?? .current) }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
