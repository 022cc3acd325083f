#include <sqlite3.h>
#include "sqlite_tuning.h"

int unifeed_sqlite_tune(void) {
    // No global memory statistics: every sqlite3_malloc otherwise takes a process-wide mutex, which
    // showed up in the import's profile; Unifeed never reads those statistics.
    int status = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // URI file names (`file:…?immutable=1`), for a read-only database whose folder a reader may not write.
    if (status == SQLITE_OK) status = sqlite3_config(SQLITE_CONFIG_URI, 1);
    return status;
}
