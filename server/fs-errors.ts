import type { Response } from 'express';
import { sendError } from './http-errors.js';

/** How a file system error is answered: the client's fault is a 4xx, a full disk 507, anything else a 5xx. */
export interface FsErrorAnswer {
  readonly status: number;
  readonly type: string;
  readonly explanation: string;
}

const ANSWERS: Readonly<Record<string, FsErrorAnswer>> = {
  ENAMETOOLONG: {
    status: 400,
    type: 'name_too_long',
    explanation: 'the name or path is longer than the file system allows',
  },
  ENOTDIR: { status: 409, type: 'not_a_folder', explanation: 'a part of the path is a file, not a folder' },
  EISDIR: { status: 409, type: 'is_a_folder', explanation: 'the name is an existing folder, not a file' },
  EEXIST: { status: 409, type: 'already_exists', explanation: 'something that is not a folder is already there' },
  ELOOP: { status: 400, type: 'symlink_loop', explanation: 'the path goes through a loop of symbolic links' },
  ENOENT: {
    status: 404,
    type: 'not_found',
    explanation: 'a part of the path does not exist (a broken symbolic link?)',
  },
  EINVAL: { status: 400, type: 'invalid_path', explanation: 'the file system does not accept this name' },
  EILSEQ: {
    status: 400,
    type: 'invalid_path',
    explanation: 'the file system does not accept the characters of this name',
  },
  EACCES: { status: 403, type: 'forbidden_path', explanation: 'the server is not allowed to use this path' },
  EPERM: { status: 403, type: 'forbidden_path', explanation: 'the server is not allowed to use this path' },
  ENOSPC: { status: 507, type: 'insufficient_storage', explanation: 'the disk is full' },
  EDQUOT: { status: 507, type: 'insufficient_storage', explanation: 'the disk quota is used up' },
  EROFS: { status: 503, type: 'read_only_storage', explanation: 'the folder is on a read-only file system' },
};

export function fsErrorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export function fsErrorAnswer(error: unknown): FsErrorAnswer {
  const code = fsErrorCode(error);
  return (
    (code !== undefined ? ANSWERS[code] : undefined) ?? {
      status: 500,
      type: 'filesystem_error',
      explanation: 'the file system refused the operation',
    }
  );
}

/** A file system error in words naming the field it concerns (`subfolder`, `filename`, `name`), with its code. */
export function describeFsError(
  error: unknown,
  field: string,
  value: string,
): FsErrorAnswer & { readonly message: string } {
  const answer = fsErrorAnswer(error);
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return {
    ...answer,
    message: `${field} ${JSON.stringify(shown)}: ${answer.explanation} (${fsErrorCode(error) ?? 'unknown error'})`,
  };
}

/**
 * Answers a file system error as JSON: `details` names the system call. The system's own message is not sent:
 * it holds the server's absolute paths.
 */
export function sendFsError(res: Response, error: unknown, field: string, value: string): void {
  const described = describeFsError(error, field, value);
  const syscall =
    error instanceof Error && 'syscall' in error && typeof error.syscall === 'string' ? error.syscall : undefined;
  sendError(res, described.status, described.type, described.message, syscall);
}
