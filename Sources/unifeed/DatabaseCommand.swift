import ArgumentParser
import Foundation
import StorePort

/// `unifeed db copy`: a whole store moved between SQLite and PostgreSQL (DESIGN.md §12).
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The store itself: copy it between SQLite and PostgreSQL.", subcommands: [Copy.self])

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole store into a new, empty one (SQLite to PostgreSQL or back), then compare every table's row count.",
            discussion: """
                FROM and TO are SQLite paths or postgres:// URLs. The destination must be empty (a new SQLite file, or \
                a PostgreSQL database without a catalog); it is filled in one transaction, so a failed or killed copy \
                leaves it empty. Dashboard sign-in sessions are not copied.
                """)
        @Option(help: "The store to read (an SQLite path or a postgres:// URL).") var from: String
        @Option(help: "The new store to fill (an SQLite path or a postgres:// URL).") var to: String

        func run() throws {
            let source = try GlobalOptions.openStore(at: from, readOnly: true)
            let destination = try GlobalOptions.openStore(at: to, create: true)
            guard let reader = source as? any StoreCopying, let writer = destination as? any StoreCopying else {
                printError("db copy: error: this store cannot be copied")
                throw ExitCode.failure
            }
            try orExit {
                try writer.importTables { append in
                    try reader.exportTables { table, next in
                        while let row = try next() { try append(table, row) }
                    }
                }
            }
            let before = try orExit { try reader.tableCounts() }
            let after = try orExit { try writer.tableCounts() }
            let out = StandardOutput()
            out.write("table\tsource\tcopy\n")
            var same = true
            for table in StoreCopy.tables {
                let a = before[table.name] ?? 0, b = after[table.name] ?? 0
                out.write("\(table.name)\t\(a)\t\(b)\(a == b ? "" : "\tDIFFERS")\n")
                same = same && a == b
            }
            out.flush()
            guard same else {
                printError("db copy: error: the copy's row counts differ from the source's (see above)")
                throw ExitCode.failure
            }
            printError("copied \(source.location) to \(destination.location): every table's row count matches")
        }
    }
}
