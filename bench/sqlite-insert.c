/*
 * sqlite-insert: the raw SQLite C API insert rate for Casefile's event row shape. The bench
 * compares Casefile's ingest rate with this reference: the same table, the same pragmas, one
 * prepared statement reused, no Swift, no GRDB, no pipeline.
 *
 * Usage: sqlite-insert DB_PATH ROWS [--index]
 *   DB_PATH (and its -wal, -shm) are deleted first. --index adds the events_by_time index of
 *   schema/0001_initial.sql, CREATE INDEX events_by_time ON events(ts), before the inserts (for a
 *   schema that drops that index, the run without --index is Casefile's shape).
 * Prints: sqlite-insert: rows=N seconds=S rate=R bytes_per_row=B index=0|1
 *   seconds covers the inserts and their commits (with SQLite's automatic WAL checkpoints);
 *   bytes_per_row is (DB + -wal size) / ROWS after a final PRAGMA wal_checkpoint(TRUNCATE),
 *   which is not timed.
 *
 * The table is Casefile's `events` as schema/0001 + 0003 (comm_id) + 0004 (aux2, aux3) make it,
 * with the same columns, order and type affinities, minus the REFERENCES clauses (the parent
 * tables are not here). Pragmas as CaseFile.openForRecording sets them: WAL, synchronous=NORMAL,
 * everything else SQLite's defaults (page size 4096, autocheckpoint 1000 pages). One difference
 * left on purpose: GRDB turns foreign key enforcement on by default (Configuration.foreignKeysEnabled)
 * and Casefile keeps it, so there each events row also costs a primary-key lookup per non-NULL
 * parent (sessions, event_kinds, processes, cgroups, comms); this reference has no such checks.
 * The INSERT's column list is WriterStatements.swift's. Rows look like file-open events.
 *
 * Build: cc -O2 -o sqlite-insert sqlite-insert.c -lsqlite3
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define ROWS_PER_TRANSACTION 4096

static const char *create_events =
	"CREATE TABLE events ("
	" id          INTEGER PRIMARY KEY,"
	" session_id  INTEGER NOT NULL,"
	" ts          INTEGER NOT NULL,"
	" kind        INTEGER NOT NULL,"
	" pid         INTEGER,"
	" tid         INTEGER,"
	" uid         INTEGER,"
	" process_id  INTEGER,"
	" cgroup_row  INTEGER,"
	" ret         INTEGER,"
	" aux         INTEGER,"
	" object_id   INTEGER,"
	" comm_id     INTEGER,"
	" aux2        INTEGER,"
	" aux3        INTEGER"
	")";

static const char *insert_event =
	"INSERT INTO events (session_id, ts, kind, pid, tid, uid, process_id, cgroup_row, ret, aux, object_id, comm_id, aux2, aux3)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite-insert: %s failed: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
	exit(1);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "sqlite-insert: %s failed: %s\n", sql, err ? err : sqlite3_errmsg(db));
		exit(1);
	}
}

static void remove_file(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "sqlite-insert: cannot delete %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--index") != 0)) {
		fprintf(stderr, "usage: sqlite-insert DB_PATH ROWS [--index]\n");
		return 2;
	}
	const char *path = argv[1];
	char *end = NULL;
	long long rows = strtoll(argv[2], &end, 10);
	if (!end || *end != '\0' || rows <= 0) {
		fprintf(stderr, "sqlite-insert: ROWS must be a positive integer, not %s\n", argv[2]);
		return 2;
	}
	int with_index = argc == 4;

	size_t plen = strlen(path);
	char *wal = malloc(plen + 5), *shm = malloc(plen + 5);
	if (!wal || !shm) {
		fprintf(stderr, "sqlite-insert: out of memory\n");
		return 1;
	}
	snprintf(wal, plen + 5, "%s-wal", path);
	snprintf(shm, plen + 5, "%s-shm", path);
	remove_file(path);
	remove_file(wal);
	remove_file(shm);

	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		die(db, "opening the database");
	exec_sql(db, "PRAGMA journal_mode=WAL");
	exec_sql(db, "PRAGMA synchronous=NORMAL");
	exec_sql(db, create_events);
	if (with_index)
		exec_sql(db, "CREATE INDEX events_by_time ON events(ts)");

	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v3(db, insert_event, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
		die(db, "preparing the INSERT");

	const long long ts0 = 1700000000000000000LL;
	long long ts = ts0;
	double start = now_seconds();
	exec_sql(db, "BEGIN");
	for (long long i = 0; i < rows; i++) {
		/* A file-open event: ~2 us apart, a handful of processes, one of 2000 paths. */
		long long h = (i * 2654435761LL) & 0x7fffffff; /* cheap scramble for varied values */
		ts += 1800 + h % 400;
		int proc = (int)(h % 16);
		int pid = 5000 + proc * 37;
		sqlite3_bind_int64(stmt, 1, 1);                        /* session_id */
		sqlite3_bind_int64(stmt, 2, ts);                       /* ts (UTC ns) */
		sqlite3_bind_int64(stmt, 3, 6);                        /* kind: open */
		sqlite3_bind_int64(stmt, 4, pid);                      /* pid */
		sqlite3_bind_int64(stmt, 5, pid + (int)(h % 3));       /* tid */
		sqlite3_bind_int64(stmt, 6, proc < 12 ? 0 : 1000);     /* uid */
		sqlite3_bind_int64(stmt, 7, 1 + proc);                 /* process_id */
		sqlite3_bind_int64(stmt, 8, 1 + proc % 5);             /* cgroup_row */
		sqlite3_bind_int64(stmt, 9, (i & 1) ? -2 : 3 + (int)(h % 20)); /* ret: fd or -ENOENT */
		sqlite3_bind_int64(stmt, 10, 0x80000);                 /* aux: open flags (O_CLOEXEC) */
		sqlite3_bind_int64(stmt, 11, 1 + (h >> 5) % 2000);    /* object_id: paths.id */
		sqlite3_bind_int64(stmt, 12, 1 + proc);                /* comm_id */
		if (h % 8 == 0)
			sqlite3_bind_int64(stmt, 13, 0644);                /* aux2: mode, with O_CREAT */
		else
			sqlite3_bind_null(stmt, 13);
		if (h % 16 == 1)
			sqlite3_bind_int64(stmt, 14, 3 + (int)(h % 7));    /* aux3: dirfd other than AT_FDCWD */
		else
			sqlite3_bind_null(stmt, 14);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			die(db, "INSERT");
		sqlite3_reset(stmt);
		if ((i + 1) % ROWS_PER_TRANSACTION == 0 && i + 1 < rows) {
			exec_sql(db, "COMMIT");
			exec_sql(db, "BEGIN");
		}
	}
	exec_sql(db, "COMMIT");
	double seconds = now_seconds() - start;

	sqlite3_finalize(stmt);
	exec_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	long long bytes = file_size(path) + file_size(wal);
	if (sqlite3_close(db) != SQLITE_OK)
		die(db, "closing the database");

	printf("sqlite-insert: rows=%lld seconds=%.3f rate=%.0f bytes_per_row=%.1f index=%d\n", rows, seconds,
	       (double)rows / seconds, (double)bytes / (double)rows, with_index);
	free(wal);
	free(shm);
	return 0;
}
