/** A finished job whose end the disk did not take: its history entry lives here until it is written. */
export interface UnsavedEnd {
  readonly promptId: string;
  /** The history entry's JSON text; undefined once the entry was deleted from history (the job row is still to go). */
  text: string | undefined;
  /** False once a job queued again under this prompt id replaced the row: writing this end must not delete it. */
  deleteJob: boolean;
  readonly maxHistory: number;
}

/**
 * Ends of jobs waiting for the disk, oldest first. They are written in this order and before any later end, so
 * every one of them is newer than everything in the history table: history reads put them after it.
 */
export class UnsavedHistory {
  private readonly ends: UnsavedEnd[] = [];

  get size(): number {
    return this.ends.length;
  }

  /** The entries readers see (those not deleted), oldest first. */
  get visible(): readonly (UnsavedEnd & { text: string })[] {
    return this.ends.filter((end): end is UnsavedEnd & { text: string } => end.text !== undefined);
  }

  get first(): UnsavedEnd | undefined {
    return this.ends[0];
  }

  add(end: UnsavedEnd): void {
    this.ends.push(end);
  }

  /** The oldest end was written. */
  shift(): void {
    this.ends.shift();
  }

  text(promptId: string): string | undefined {
    for (let index = this.ends.length - 1; index >= 0; index--) {
      const end = this.ends[index]!;
      if (end.promptId === promptId && end.text !== undefined) return end.text;
    }
    return undefined;
  }

  /** The entries are deleted from history; what is left to write is removing their job rows. */
  forget(promptIds: readonly string[] | 'all'): void {
    const doomed = promptIds === 'all' ? undefined : new Set(promptIds);
    for (const end of this.ends) if (!doomed || doomed.has(end.promptId)) end.text = undefined;
    this.dropEmpty();
  }

  /** A new job took this prompt id's row in the jobs table. */
  rowReplaced(promptId: string): void {
    for (const end of this.ends) if (end.promptId === promptId) end.deleteJob = false;
    this.dropEmpty();
  }

  private dropEmpty(): void {
    for (let index = this.ends.length - 1; index >= 0; index--) {
      const end = this.ends[index]!;
      if (end.text === undefined && !end.deleteJob) this.ends.splice(index, 1);
    }
  }
}
