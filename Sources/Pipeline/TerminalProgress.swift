public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A progress line for long work (imports, publishes, audits) on stderr, redrawn in place at most five
/// times a second, with a percentage and an estimate when the total is known. Only when stderr is a
/// terminal: a cron job's log never gets it.
public final class TerminalProgress {
    private let label: String
    private let unit: String
    private let total: Int?
    private let enabled: Bool
    private let started = Date()
    private var last = Date.distantPast
    private var shown = false

    /// Whether stderr is a terminal: a caller computes a total (a count over the catalog) only then.
    public static var stderrIsTerminal: Bool { isatty(2) == 1 }

    public init(label: String, unit: String, total: Int?, enabled: Bool) {
        self.label = label
        self.unit = unit
        self.total = total
        self.enabled = enabled && TerminalProgress.stderrIsTerminal
    }

    /// `done` units so far.
    public func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        shown = true
        FileHandle.standardError.write(
            Data(("\r\u{1B}[K" + TerminalProgress.line(label: label, unit: unit, done: done, total: total, elapsed: now.timeIntervalSince(started))).utf8))
    }

    /// Clears the line (the summary follows on stdout).
    public func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }

    /// `publish: 45% (450,000 of 1,000,000 SKUs), about 6 s left`; without a total, `publish: 450,000 SKUs`.
    public static func line(label: String, unit: String, done: Int, total: Int?, elapsed: TimeInterval) -> String {
        func grouped(_ n: Int) -> String {
            let digits = String(n)
            var out = ""
            for (i, c) in digits.enumerated() {
                if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return out
        }
        guard let total, total > 0 else { return "\(label): \(grouped(done)) \(unit)" }
        let share = min(done, total) * 100 / total
        var line = "\(label): \(share)% (\(grouped(done)) of \(grouped(total)) \(unit))"
        if done > 0 && done < total && elapsed >= 1 {
            let left = elapsed * Double(total - done) / Double(done)
            line += left < 90 ? ", about \(Int(left.rounded())) s left" : ", about \(Int((left / 60).rounded())) min left"
        }
        return line
    }
}
