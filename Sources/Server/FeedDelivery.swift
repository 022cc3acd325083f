import CZlib
import Feeds
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import StorePort

#if canImport(Glibc)
    import Glibc
#endif

/// `GET|HEAD /feeds/CHANNEL/FILE`: the files of the last good publish under `--out`, as
/// `publish-report.json` lists them (nothing else is reachable). `ETag` is the file's SHA-256 from the
/// report; `If-None-Match` and `If-Modified-Since` give 304; one `Range` gives 206 (a range that is
/// malformed, several ranges, or one past the end: 416); `Accept-Encoding: gzip` sends the publish's
/// `.gz` twin when it has one, else compresses on the way. The file is read in chunks from the
/// descriptor opened under the publish's swap lock: one whole version, in constant memory.
struct FeedDelivery {
    let outDir: String
    static let chunkSize = 256 << 10

    func respond(_ request: Request, context: ServerContext) async throws -> Response {
        try context.require(.feedsRead)
        guard let channel = context.parameters.get("channel"), let file = context.parameters.get("file") else {
            throw APIError(.notFound, "no such feed")
        }
        let outDir = self.outDir
        let wantsGzip = Self.acceptsGzip(request.headers[.acceptEncoding]) && request.headers[.range] == nil
        // The twin, when the publish wrote one and the client takes gzip; else the file itself. Opened
        // here when no publish holds the swap lock (a few system calls: cheaper than a hop to another
        // thread, which would double the cost of a 304), else on the thread pool, waiting.
        var opened: (PublishedFiles.Opened, gzipTwin: Bool)?
        switch Self.open(outDir: outDir, channel: channel, file: file, gzip: wantsGzip, waiting: false) {
        case .some(let found): opened = found
        case nil:
            opened = try await NIOThreadPool.singleton.runIfActive {
                Self.open(outDir: outDir, channel: channel, file: file, gzip: wantsGzip, waiting: true) ?? nil
            }
        }
        guard let (feed, isTwin) = opened else {
            throw APIError(.notFound, "no published file \(channel)/\(file): the last publish under the output folder does not list it")
        }
        var closeOnExit = true
        defer { if closeOnExit { close(feed.descriptor) } }

        let compressOnTheWay = wantsGzip && !isTwin
        let etag = "\"\(feed.sha256)\(compressOnTheWay ? "-gzip" : "")\""
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.lastModified] = Self.httpDate(feed.modified)
        headers[.contentType] = Self.contentType(file)
        headers[.acceptRanges] = "bytes"
        headers[.vary] = "Accept-Encoding"
        headers[.cacheControl] = "private, no-cache"
        if isTwin || compressOnTheWay { headers[.contentEncoding] = "gzip" }

        if let match = request.headers[.ifNoneMatch] {
            if Self.matches(match, etag: etag) { return Response(status: .notModified, headers: headers) }
        } else if let since = request.headers[.ifModifiedSince].flatMap(Self.parseHTTPDate),
            floor(feed.modified.timeIntervalSince1970) <= since.timeIntervalSince1970
        {
            return Response(status: .notModified, headers: headers)
        }

        var status: HTTPResponse.Status = .ok
        var offset = 0
        var length = feed.bytes
        if let rangeHeader = request.headers[.range] {
            guard let (start, end) = Self.range(rangeHeader, size: feed.bytes) else {
                var h = HTTPFields()
                h[.contentRange] = "bytes */\(feed.bytes)"
                throw APIError(
                    .rangeNotSatisfiable, "expected one range within the file's \(feed.bytes) bytes, such as bytes=0-1023 (found: \(rangeHeader))",
                    headers: h)
            }
            status = .partialContent
            offset = start
            length = end - start + 1
            headers[.contentRange] = "bytes \(start)-\(end)/\(feed.bytes)"
        }
        if !compressOnTheWay { headers[.contentLength] = String(length) }
        if request.method == .head { return Response(status: status, headers: headers) }

        closeOnExit = false
        let descriptor = feed.descriptor
        let (first, end) = (offset, offset + length)
        let body = ResponseBody { writer in
            defer { close(descriptor) }
            let deflater = compressOnTheWay ? try Deflater() : nil
            var position = first
            while position < end {
                let (at, count) = (position, min(Self.chunkSize, end - position))
                let chunk = try await NIOThreadPool.singleton.runIfActive { try Self.readBuffer(descriptor, at: at, count: count) }
                guard chunk.readableBytes > 0 else { break }  // the file cannot shrink (it is this version's inode), but never spin
                position += chunk.readableBytes
                if let deflater {
                    let compressed = try deflater.compress(Array(chunk.readableBytesView), finish: position >= end)
                    if !compressed.isEmpty { try await writer.write(ByteBuffer(bytes: compressed)) }
                } else {
                    try await writer.write(chunk)
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The gzip twin (when `gzip` and the publish wrote one) or the file: `.some(nil)` when the report
    /// lists neither, `nil` when not `waiting` and a publish holds the swap lock.
    static func open(outDir: String, channel: String, file: String, gzip: Bool, waiting: Bool) -> (PublishedFiles.Opened, gzipTwin: Bool)?? {
        if gzip {
            switch PublishedFiles.open(outDir: outDir, channel: channel, file: file + ".gz", waiting: waiting) {
            case .opened(let twin): return .some((twin, true))
            case .busy: return nil
            case .missing: break
            }
        }
        switch PublishedFiles.open(outDir: outDir, channel: channel, file: file, waiting: waiting) {
        case .opened(let feed): return .some((feed, false))
        case .busy: return nil
        case .missing: return .some(nil)
        }
    }

    /// `count` bytes at `offset` (fewer at the end of the file), read straight into a buffer the
    /// channel writes (no copy).
    static func readBuffer(_ fd: Int32, at offset: Int, count: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var filled = 0
        while filled < count {
            var result = 0
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { out -> Int in
                result = pread(fd, out.baseAddress!, count - filled, off_t(offset + filled))
                return max(result, 0)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw APIError(.internalServerError, "cannot read the feed: \(String(cString: strerror(errno)))")
            }
            if result == 0 { break }
            filled += result
        }
        return buffer
    }

    /// One `bytes=` range within `size`: `a-b`, `a-` or `-n` (the last n bytes); `nil` when malformed,
    /// several, or not satisfiable.
    static func range(_ header: String, size: Int) -> (Int, Int)? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces), last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int? { s.isEmpty || s.utf8.count > 18 || !s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? nil : Int(s) }
        if first.isEmpty {
            guard let suffix = number(last), suffix > 0 else { return nil }
            return (max(0, size - suffix), size - 1)
        }
        guard let start = number(first), start < size else { return nil }
        if last.isEmpty { return (start, size - 1) }
        guard let end = number(last), end >= start else { return nil }
        return (start, min(end, size - 1))
    }

    /// `If-None-Match`: `*`, or a list of entity tags (weak ones compare by their value).
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            var tag = part.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }

    /// `Accept-Encoding` lists gzip (or `*`) without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = fields.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }

    static func contentType(_ file: String) -> String {
        let lower = file.lowercased()
        if lower.hasSuffix(".xml") { return "application/xml; charset=utf-8" }
        if lower.hasSuffix(".json") { return "application/json" }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return "application/x-ndjson" }
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return "text/tab-separated-values; charset=utf-8" }
        if lower.hasSuffix(".csv") { return "text/csv; charset=utf-8" }
        if lower.hasSuffix(".gz") { return "application/gzip" }
        return "application/octet-stream"
    }

    private static let httpDateFormat: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }()
    private static let dateLock = NSLock()

    static func httpDate(_ date: Date) -> String {
        dateLock.lock()
        defer { dateLock.unlock() }
        return httpDateFormat.string(from: date)
    }

    static func parseHTTPDate(_ text: String) -> Date? {
        dateLock.lock()
        defer { dateLock.unlock() }
        return httpDateFormat.date(from: text.trimmingCharacters(in: .whitespaces))
    }
}

/// Streaming gzip (zlib's deflate with a gzip wrapper), one chunk at a time.
final class Deflater {
    private var stream = z_stream()

    init() throws {
        // windowBits 15 + 16: a gzip header and trailer; level 6, zlib's default balance.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw APIError(.internalServerError, "cannot start gzip")
        }
    }

    deinit { deflateEnd(&stream) }

    func compress(_ input: [UInt8], finish: Bool) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = UInt32(inBuffer.count)
            repeat {
                let status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                }
                guard status != Z_STREAM_ERROR else { throw APIError(.internalServerError, "gzip failed") }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            } while stream.avail_out == 0
        }
        return output
    }
}
