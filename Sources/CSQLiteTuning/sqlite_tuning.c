#include <sqlite3.h>
#include "sqlite_tuning.h"

int unifeed_sqlite_tune(void) {
    // No global memory statistics: every sqlite3_malloc otherwise takes a process-wide mutex, which
    // showed up in the import's profile; Unifeed never reads those statistics.
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
