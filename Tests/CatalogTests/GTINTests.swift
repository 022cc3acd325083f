import Catalog
import Config
import Formats
import Foundation
import StorePort
import Testing
import UnifeedTestSupport

@Suite struct GTINTests {
    @Test(arguments: [
        ("4006381333160", "4006381333160"),  // EAN-13 whose check digit is 0
        ("012345678905", "012345678905"),  // UPC-A with a leading zero
        ("96385074", "96385074"),  // GTIN-8
        ("10012345678902", "10012345678902"),  // GTIN-14
        ("00012345678905", "00012345678905"),  // UPC-A padded to 14 digits
        ("4006381 333160", "4006381333160"),  // spaces stripped
        ("400-6381-33316-0", "4006381333160"),  // dashes stripped
    ])
    func validGTINs(input: String, digits: String) throws {
        #expect(try GTIN(parsing: input).digits == digits)
    }

    @Test func paddingToFourteenDigitsComparesAcrossLengths() throws {
        #expect(try GTIN(parsing: "012345678905").gtin14 == "00012345678905")
        #expect(try GTIN(parsing: "96385074").gtin14 == "00000096385074")
    }

    @Test(arguments: [
        ("4006381333161", "GTIN check digit is wrong: expected 0, found 1"),
        ("012345678900", "GTIN check digit is wrong: expected 5, found 0"),
        ("40063813A3316", "GTIN must contain only digits (spaces and dashes are ignored)"),
        ("1234567", "GTIN must have 8, 12, 13 or 14 digits, this one has 7"),
        ("123456789012345", "GTIN must have 8, 12, 13 or 14 digits, this one has 15"),
        ("", "GTIN must have 8, 12, 13 or 14 digits, this one has 0"),
    ])
    func invalidGTINsSayWhy(input: String, message: String) {
        #expect(throws: ValueError(message)) { try GTIN(parsing: input) }
    }

    /// Compares our check-digit rule with python-stdnum's `ean.is_valid` (Debian's python3-stdnum) over
    /// generated numbers of every length, valid and not. Skips with a reason when the oracle is absent.
    @Test(.enabled(if: Requirements.python3(importing: "stdnum.ean"), "python3-stdnum is not installed (.ci/run installs it)"))
    func agreesWithPythonStdnum() throws {
        let python = "/usr/bin/python3"
        var candidates: [String] = []
        var seed: UInt64 = 42
        for length in [8, 12, 13, 14] {
            for _ in 0..<250 {
                var s = ""
                for _ in 0..<length {
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    s += String((seed >> 33) % 10)
                }
                candidates.append(s)
            }
        }
        let input = candidates.joined(separator: "\n")
        let script = "import sys\nfrom stdnum import ean\nfor l in sys.stdin.read().split():\n    print('1' if ean.is_valid(l) else '0')"
        let output = try capture(python, ["-c", script], stdin: input)
        let oracle = output.split(separator: "\n").map { $0 == "1" }
        #expect(oracle.count == candidates.count)
        var valid = 0
        for (candidate, expected) in zip(candidates, oracle) {
            let ours = (try? GTIN(parsing: candidate)) != nil
            #expect(ours == expected, "\(candidate)")
            if ours { valid += 1 }
        }
        #expect(valid > 50, "the sample must contain valid numbers too")
    }
}

func run(_ path: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

func capture(_ path: String, _ arguments: [String], stdin: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// `GTIN.isValid` (read in place at every publish) agrees with the strict parser.
@Suite struct GTINValidityTests {
    @Test(arguments: ["4006381333931", "4006381333930", "96385074", "96385075", "036000291452", "036000291453", "10012345678902", "1234", "40063813339a1", ""])
    func agreesWithTheParser(_ text: String) {
        #expect(GTIN.isValid(text) == ((try? GTIN(parsing: text)) != nil), "\(text)")
    }
}
