import StoreTestSupport
import Testing
import UnifeedTestSupport

/// The store-parameterized tests of this target run on PostgreSQL too; skipped, with the reason, when
/// they cannot (no server for the tests), so a run on SQLite alone says so.
@Test(.enabled(if: StoreKind.tested.contains(.postgres), Comment(rawValue: StoreKind.postgresReason)))
func theStoreParameterizedServerTestsRunOnPostgreSQLToo() {
    #expect(StoreKind.tested == [.sqlite, .postgres])
}
