import Database from 'better-sqlite3';

/** What went wrong with the job store's file: the states `/system_stats` reports. */
export type StoreFaultKind = 'full' | 'corrupt' | 'io_error' | 'read_only' | 'error';

export interface StoreFault {
  readonly kind: StoreFaultKind;
  /** SQLite's (extended) result code, or the errno of a failed fsync. */
  readonly code: string;
  readonly message: string;
  /** When the store first met this fault (ms since the epoch). */
  readonly since: number;
}

/** SQLite's result codes (and fsync's errnos) by what they mean for the store. */
export function faultKind(code: string): StoreFaultKind {
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return 'corrupt';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'read_only';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'io_error';
  return 'error';
}

/** The code of an error from SQLite or the file system, if it carries one. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof Database.SqliteError) return error.code;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function explain(kind: StoreFaultKind, path: string): string {
  switch (kind) {
    case 'full':
      return `the job store's disk is full (free space where ${path} is)`;
    case 'corrupt':
      return `the job store ${path} is damaged (restart the server: it salvages the readable jobs and history into a fresh file)`;
    case 'read_only':
      return `the job store ${path} is read-only (make it and its folder writable)`;
    case 'io_error':
      return `the job store's disk failed to read or write ${path}`;
    case 'error':
      return `the job store ${path} failed`;
  }
}

/**
 * The job store could not read or write: disk full, damaged file, I/O error, read-only. Routes answer it as 503
 * with its message (`status` is what Express's error handler reads when a route lets it through).
 */
export class JobStoreFaultError extends Error {
  readonly status = 503;

  constructor(
    readonly fault: StoreFault,
    path: string,
  ) {
    super(`${explain(fault.kind, path)}: ${fault.code}: ${fault.message}`);
    this.name = 'JobStoreFaultError';
  }
}
