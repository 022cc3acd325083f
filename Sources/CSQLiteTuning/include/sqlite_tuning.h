#ifndef UNIFEED_SQLITE_TUNING_H
#define UNIFEED_SQLITE_TUNING_H

/// Process-wide SQLite settings that must be made before the first connection opens
/// (sqlite3_config is variadic, so Swift cannot call it directly). Returns 0 on success.
int unifeed_sqlite_tune(void);

#endif
