import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorCode, faultKind } from './store-faults.js';

export class DataFolderInUseError extends Error {
  constructor(readonly path: string) {
    super(
      `the data folder's database ${path} is in use by another Inkgraph server; give this one its own --data folder`,
    );
  }
}

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** Why the file is damaged (SQLite's words), when it is: its readable rows are to be salvaged. */
  readonly damage: string | undefined;
}

/**
 * Opens the job database exclusively (a second server on the same data folder is refused instead of running the
 * same jobs twice), in WAL mode, and checks its pages (`quick_check`: every page's structure, without the slower
 * index-versus-table comparison), since a damaged middle page otherwise shows only when a read reaches it.
 * A file that is not a database at all is refused rather than moved aside: it may not be Inkgraph's.
 */
export function openDatabase(path: string): OpenedDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // Commits reach the WAL in the OS; the store syncs it itself. In memory there is nothing to sync.
    db.pragma(path === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    return { db, damage: path === ':memory:' ? undefined : quickCheck(db) };
  } catch (error) {
    const code = errorCode(error) ?? '';
    if (faultKind(code) === 'corrupt' && !code.startsWith('SQLITE_NOTADB'))
      return { db, damage: `${code}: ${messageOf(error)}` };
    db.close();
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new DataFolderInUseError(path);
    throw new Error(
      `cannot open the job database ${path}: ${messageOf(error)} (move the file away to start with an empty queue and history)`,
    );
  }
}

/** The first problem `quick_check` reports, or undefined for a sound file. */
function quickCheck(db: Database.Database): string | undefined {
  const rows = db.prepare<[], { quick_check: unknown }>('PRAGMA quick_check(8)').all();
  const problems = rows.map((row) => String(row.quick_check)).filter((text) => text !== 'ok');
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
