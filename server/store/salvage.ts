import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { syncFile, syncFolder } from './file-sync.js';
import { migrateSchema } from './schema.js';

export interface SalvageReport {
  /** What SQLite found wrong. */
  readonly damage: string;
  /** Where the damaged file (and its -wal and -shm) now is. */
  readonly movedAside: string;
  readonly jobs: number;
  readonly history: number;
  /** Rows read back but unusable (a history entry that is not a JSON object, a job row missing a field). */
  readonly dropped: number;
}

type Row = Record<string, unknown>;

/**
 * Copies every row of the damaged database that SQLite can still read into a fresh file, moves the damaged one
 * aside (named `<file>.damaged-<time>`) and puts the fresh one in its place. `damaged` is the open handle (it holds
 * the data folder's lock until the copy is done), closed here.
 */
export function salvage(damaged: Database.Database, path: string, damage: string, now = new Date()): SalvageReport {
  const freshPath = `${path}.salvage`;
  let counts: { jobs: number; history: number; dropped: number };
  try {
    removeWithJournals(freshPath);
    const fresh = new Database(freshPath);
    try {
      migrateSchema(fresh);
      counts = copyRows(damaged, fresh);
    } finally {
      fresh.close();
    }
  } finally {
    damaged.close();
  }
  syncFile(freshPath);
  const movedAside = asideName(path, now);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${movedAside}${suffix}`);
  }
  renameSync(freshPath, path);
  syncFolder(dirname(path));
  return { damage, movedAside, ...counts };
}

function copyRows(from: Database.Database, to: Database.Database): { jobs: number; history: number; dropped: number } {
  const insertJob = to.prepare(
    'INSERT OR IGNORE INTO jobs (prompt_id, number, item, state, restarts, last_restart, queued_at, deaths, running_node) VALUES (@prompt_id, @number, @item, @state, @restarts, @last_restart, @queued_at, @deaths, @running_node)',
  );
  const insertHistory = to.prepare(
    'INSERT OR IGNORE INTO history (seq, prompt_id, entry, finished_at) VALUES (@seq, @prompt_id, @entry, @finished_at)',
  );
  const insertMeta = to.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (@key, @value)');
  let jobs = 0;
  let history = 0;
  let dropped = 0;
  const keep = (insert: Database.Statement, row: Row | undefined): boolean => {
    if (!row) return false;
    try {
      return insert.run(row).changes === 1;
    } catch {
      return false;
    }
  };
  to.transaction(() => {
    forEachReadableRow(from, 'jobs', (row) => {
      if (keep(insertJob, jobRow(row))) jobs += 1;
      else dropped += 1;
    });
    forEachReadableRow(from, 'history', (row) => {
      if (keep(insertHistory, historyRow(row))) history += 1;
      else dropped += 1;
    });
    forEachReadableRow(from, 'meta', (row) => {
      if (
        !keep(
          insertMeta,
          typeof row.key === 'string' && typeof row.value === 'string' ? { key: row.key, value: row.value } : undefined,
        )
      )
        dropped += 1;
    });
  })();
  return { jobs, history, dropped };
}

function jobRow(row: Row): Row | undefined {
  const { prompt_id, number, item, state } = row;
  if (
    typeof prompt_id !== 'string' ||
    typeof number !== 'number' ||
    typeof item !== 'string' ||
    (state !== 'pending' && state !== 'running')
  )
    return undefined;
  return {
    prompt_id,
    number,
    item,
    state,
    restarts: integerOr(row.restarts, 0),
    last_restart: typeof row.last_restart === 'string' ? row.last_restart : null,
    queued_at: integerOr(row.queued_at, 0),
    deaths: integerOr(row.deaths, 0),
    running_node: typeof row.running_node === 'string' ? row.running_node : null,
  };
}

/** History is served as its stored text, so an entry that is not a JSON object would break every answer. */
function historyRow(row: Row): Row | undefined {
  const { seq, prompt_id, entry } = row;
  if (typeof seq !== 'number' || typeof prompt_id !== 'string' || typeof entry !== 'string' || !isJsonObject(entry))
    return undefined;
  return { seq, prompt_id, entry, finished_at: integerOr(row.finished_at, 0) };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function integerOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

const BATCH = 64;
const LAST_ROWID = Number.MAX_SAFE_INTEGER;

/**
 * Visits the table's rows in rowid order, stepping over what cannot be read: a batch that meets a damaged page is
 * read again a row at a time, and past the unreadable row the next readable rowid is found by probing steps that
 * double, then halving back (a damaged leaf page hides a range of rowids; an unreadable overflow page, one row).
 * A table whose definition is gone yields nothing.
 */
export function forEachReadableRow(
  db: Database.Database,
  table: 'jobs' | 'history' | 'meta',
  visit: (row: Row) => void,
): void {
  let batch: Database.Statement<[number], Row>;
  let one: Database.Statement<[number], Row>;
  try {
    batch = db.prepare<[number], Row>(
      `SELECT rowid AS _rowid, * FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT ${BATCH}`,
    );
    one = db.prepare<[number], Row>(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`);
  } catch {
    return;
  }
  const read = (statement: Database.Statement<[number], Row>, from: number): Row[] | undefined => {
    try {
      return statement.all(from);
    } catch {
      return undefined;
    }
  };
  // Where the rows begin (rowids here start at 1; the leftmost path may be what is damaged).
  const first = read(
    db.prepare<[number], Row>(`SELECT min(rowid) AS _rowid FROM ${table} WHERE rowid >= ?`),
    Number.MIN_SAFE_INTEGER,
  )?.[0]?._rowid;
  let next = typeof first === 'number' ? first : 1;
  for (;;) {
    const rows = read(batch, next) ?? read(one, next);
    if (rows) {
      if (rows.length === 0) return;
      for (const row of rows) visit(row);
      const last = rows[rows.length - 1]!._rowid;
      if (typeof last !== 'number' || last >= LAST_ROWID) return;
      next = last + 1;
      continue;
    }
    const past = nextReadable(next, (from) => read(one, from) !== undefined);
    if (past === undefined) return;
    next = past;
  }
}

/** The smallest rowid above `unreadable` from which a read succeeds (assuming reads fail up to some rowid, then work). */
function nextReadable(unreadable: number, readable: (from: number) => boolean): number | undefined {
  let bad = unreadable;
  for (let step = 1; ; step *= 2) {
    const at = Math.min(LAST_ROWID, unreadable + step);
    if (readable(at)) return firstReadable(bad, at, readable);
    if (at >= LAST_ROWID) return undefined;
    bad = at;
  }
}

/** Halves (bad, good] down to the first rowid from which reads work. */
function firstReadable(bad: number, good: number, readable: (from: number) => boolean): number {
  while (good - bad > 1) {
    const middle = bad + Math.floor((good - bad) / 2);
    if (readable(middle)) good = middle;
    else bad = middle;
  }
  return good;
}

function asideName(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let name = `${path}.damaged-${stamp}`;
  for (let n = 2; existsSync(name); n++) name = `${path}.damaged-${stamp}-${n}`;
  return name;
}

function removeWithJournals(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
