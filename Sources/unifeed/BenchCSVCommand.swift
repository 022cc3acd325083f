import ArgumentParser
import Config
import Formats
import Foundation
import Import
import StorePort

/// `unifeed bench-csv FILE`: reads a CSV with the import's reader and nothing else, and prints its
/// throughput (a developer tool for scripts/bench.sh; the reader alone, without mapping or SQLite).
struct BenchCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-csv", abstract: "Measure the CSV reader alone (records, fields, MB/s).", shouldDisplay: false)

    @Argument(help: "The CSV file.") var file: String
    /// Accepted as everywhere (`unifeed --db X bench-csv F`); the reader alone uses neither.
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let start = Date()
        let reader = try orExit { try CSVReader(path: file) }
        var records = 0
        var fields = 0
        while try orExit({ try reader.next() }) {
            records += 1
            fields += reader.fields.count
        }
        let seconds = Date().timeIntervalSince(start)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let rate = Double(bytes) / 1_048_576 / max(seconds, 1e-9)
        print("\(file): \(records) records, \(fields) fields, \(bytes) bytes in \(String(format: "%.2f", seconds)) s: \(String(format: "%.0f", rate)) MB/s")
    }
}
