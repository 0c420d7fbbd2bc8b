#include <sqlite3.h>
#include "CCasefileSQLite.h"
#include <string.h>

int cf_sqlite_harden(sqlite3 *db, int max_value_bytes) {
    int rc;
    int ignored = 0;
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &ignored)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &ignored)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &ignored)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &ignored)) != SQLITE_OK) return rc;
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, max_value_bytes);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
    return SQLITE_OK;
}

long long cf_sqlite_heap_limit(long long bytes) {
    return (long long)sqlite3_hard_heap_limit64((sqlite3_int64)bytes);
}

static const char *const readable_pragmas[] = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "user_version", "application_id", NULL,
};

static int reads_only(void *unused, int action, const char *a, const char *b, const char *db, const char *trigger) {
    (void)unused; (void)db; (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_UPDATE:
        /* SQLite itself asks this while it connects an eponymous virtual table (json_each,
         * pragma_table_info, ...) in a SELECT; nothing is written: the connection is read-only
         * and query_only, and a statement that writes is refused by sqlite3_stmt_readonly. */
        if (a != NULL && (strcmp(a, "sqlite_master") == 0 || strcmp(a, "sqlite_temp_master") == 0))
            return SQLITE_OK;
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        /* a = pragma name, b = its argument: user_version = 5 would set it, so no argument
         * is allowed for the two value pragmas; the others take a table or index name. */
        if (a == NULL) return SQLITE_DENY;
        for (const char *const *p = readable_pragmas; *p; p++) {
            if (strcmp(a, *p) == 0) {
                int value_pragma = strcmp(a, "user_version") == 0 || strcmp(a, "application_id") == 0;
                return (value_pragma && b != NULL) ? SQLITE_DENY : SQLITE_OK;
            }
        }
        return SQLITE_DENY;
    default:
        return SQLITE_DENY;
    }
}

void cf_sqlite_reads_only(sqlite3 *db, int on) {
    sqlite3_set_authorizer(db, on ? reads_only : NULL, NULL);
}
