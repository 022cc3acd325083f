import Config
import Feeds
import Foundation
import StoreTestSupport
import Testing

/// Audit reads a file whose header is written with spaces (`header_style = "spaces"`: `store code`)
/// by the same names the writer used.
@Suite struct AuditHeaderStyleTests {
    @Test(arguments: StoreKind.tested) func aLocalInventoryWrittenWithSpacesAuditsClean(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        h.config.channels["google-local", default: ChannelSettings()].headerSpaces = true
        _ = try h.publish(channels: ["google", "google-local"])
        #expect(try h.read("google-local/local-inventory.tsv").hasPrefix("store code\tid\t"))
        let findings = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out).findings
        #expect(findings.isEmpty, "\(findings.prefix(3).map(\.description))")
    }
}
