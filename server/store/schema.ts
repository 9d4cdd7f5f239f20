import type Database from 'better-sqlite3';

/** The job store's tables as this version writes them; `migrateSchema` brings older files up to it. */
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    prompt_id TEXT PRIMARY KEY,
    number REAL NOT NULL,
    item TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running')),
    restarts INTEGER NOT NULL DEFAULT 0,
    last_restart TEXT,
    queued_at INTEGER NOT NULL,
    deaths INTEGER NOT NULL DEFAULT 0,
    running_node TEXT
  );
  CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    prompt_id TEXT NOT NULL UNIQUE,
    entry TEXT NOT NULL,
    finished_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Columns added since the first release, with their definitions. `CREATE TABLE IF NOT EXISTS` leaves an existing
 * table as it is, so each is added in place when missing (SQLite's ADD COLUMN rewrites no rows).
 */
const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  // How often the process died while this job ran (a graceful shutdown's requeue is not a death).
  { table: 'jobs', column: 'deaths', definition: 'INTEGER NOT NULL DEFAULT 0' },
  // The node that started last in this job, written without a flush as nodes start.
  { table: 'jobs', column: 'running_node', definition: 'TEXT' },
];

/** Creates the tables, or adds what an older database lacks. */
export function migrateSchema(db: Database.Database): void {
  db.exec(SCHEMA);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all();
    if (!columns.some((row) => row.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}
