import CFuzzerDriver
import Foundation
import FuzzTargets

// The fuzzing entry (libFuzzer): built by scripts/fuzz.sh with `-sanitize=fuzzer,address -D FUZZING`,
// libFuzzer supplies `main` and calls this for every input; `UNIFEED_FUZZ_TARGET` picks the parser.
// Built normally, the same binary replays files: `unifeed-fuzz TARGET FILE...` (how a crash is reproduced).

nonisolated(unsafe) let fuzzTarget: String = ProcessInfo.processInfo.environment["UNIFEED_FUZZ_TARGET"] ?? "csv"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if !FuzzTargets.run(fuzzTarget, bytes) {
        FileHandle.standardError.write(Data("unknown UNIFEED_FUZZ_TARGET \(fuzzTarget); one of \(FuzzTargets.names.joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return 0
}

@main
enum FuzzMain {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            let status = withUnsafeMutablePointer(to: &argv) { argvPointer in
                argvPointer.withMemoryRebound(to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self, capacity: 1) { pointer in
                    LLVMFuzzerRunDriver(&argc, pointer) { data, size in fuzzOneInput(data, size) }
                }
            }
            exit(status)
        #else
            replay()
        #endif
    }

    static func replay() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let target = arguments.first, FuzzTargets.names.contains(target) else {
            print("usage: unifeed-fuzz TARGET FILE...   (targets: \(FuzzTargets.names.joined(separator: ", ")))")
            exit(64)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                exit(1)
            }
            FuzzTargets.run(target, [UInt8](data))
            print("\(path): ok")
        }
    }
}
