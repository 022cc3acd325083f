#include <sqlite3.h>
#include "sqlite_tuning.h"

int unifeed_sqlite_tune(void) {
    // No global memory statistics: every sqlite3_malloc otherwise takes a process-wide mutex, which
    // showed up in the import's profile; Unifeed never reads those statistics.
    int status = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // URI file names (`file:…?immutable=1`), for a read-only database whose folder a reader may not write.
    if (status == SQLITE_OK) status = sqlite3_config(SQLITE_CONFIG_URI, 1);
    // Statement journals (the pages a statement changed, kept in case it fails halfway: an INSERT that
    // fires the stock-level trigger, a batch of movements) stay in memory up to 8 MiB instead of 64 KiB.
    // With 16 KiB pages a single ledger insert passed 64 KiB and went to a temporary file: about five
    // pwrite calls per movement, a third of an inventory import (docs/PERFORMANCE.md, issue 20).
    if (status == SQLITE_OK) status = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 8 << 20);
    return status;
}
