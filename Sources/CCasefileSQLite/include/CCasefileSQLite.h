/*
 * SQLite calls Swift cannot make, wrapped once: sqlite3_db_config is variadic (Swift imports no
 * C variadic function) and an authorizer is a C callback. Used by CasefileStore only, on
 * connections that read a case file someone else may have touched.
 */
#ifndef CCASEFILESQLITE_H
#define CCASEFILESQLITE_H

/* Only the opaque handle: sqlite3.h itself is included by sqlite.c, so this module does not
 * re-export SQLite's API next to GRDB's. */
struct sqlite3;

/* Hardens a connection opened on an untrusted file, before anything of the file is read:
 * defensive mode (no writable_schema, no shadow-table writes), untrusted schema (functions with
 * side effects cannot run from the file's views or triggers), no extension loading, no triggers,
 * no ATTACH, and caps on one value's size (`max_value_bytes`) and on SQL text length.
 * Returns SQLITE_OK or the first failing result code. */
int cf_sqlite_harden(struct sqlite3 *db, int max_value_bytes);

/* Caps the memory SQLite may use in this process (sqlite3_hard_heap_limit64): past it, statements
 * fail with SQLITE_NOMEM instead of the process growing without bound. Returns the previous cap. */
long long cf_sqlite_heap_limit(long long bytes);

/* While set, statements prepared on `db` may only read: SELECT, reading columns, calling
 * functions, recursive CTEs, and reading a few schema-describing pragmas (table_info,
 * table_xinfo, index_list, index_info, index_xinfo, foreign_key_list, user_version,
 * application_id). Everything else — writes, ATTACH, other pragmas, temp objects,
 * transactions — is refused at prepare time. `on` 0 removes the authorizer. */
void cf_sqlite_reads_only(struct sqlite3 *db, int on);

#endif
