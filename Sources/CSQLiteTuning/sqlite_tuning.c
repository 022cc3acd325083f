#include <sqlite3.h>
#include "sqlite_tuning.h"

int unifeed_sqlite_tune(void) {
    // No global memory statistics: every sqlite3_malloc otherwise takes a process-wide mutex, which
    // showed up in the import's profile; Unifeed never reads those statistics.
    int status = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // URI file names (`file:…?immutable=1`), for a read-only database whose folder a reader may not write.
    if (status == SQLITE_OK) status = sqlite3_config(SQLITE_CONFIG_URI, 1);
    // Statement journals keep SQLite's default spill threshold (64 KiB; then a temporary file). A larger
    // one (SQLITE_CONFIG_STMTJRNL_SPILL of 1 or 8 MiB) made this SQLite (3.40) fail any statement whose
    // journal outgrew it with SQLITE_FULL ("database or disk is full"): a batch of 300 stock movements
    // on distinct SKUs of a 1M catalog. Never spilling (-1) would hold a 10,000-movement request's
    // journal, hundreds of MB, in memory. docs/PERFORMANCE.md, "Statement journals".
    return status;
}
