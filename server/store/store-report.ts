import type { SalvageReport } from './salvage.js';
import type { StoreFault, StoreFaultKind } from './store-faults.js';

/** The store's health, as `GET /system_stats` shows it. */
export interface StoreReport {
  readonly path: string;
  readonly state: 'ok' | StoreFaultKind;
  readonly fault: {
    readonly kind: StoreFaultKind;
    readonly code: string;
    readonly message: string;
    readonly since: string;
  } | null;
  /** Finished jobs whose history entry is served from memory until the disk takes it. */
  readonly unsaved_history: readonly string[];
  /** The damaged file found at start, moved aside after its readable rows were copied to a fresh one. */
  readonly salvaged: {
    readonly damage: string;
    readonly moved_aside: string;
    readonly jobs: number;
    readonly history: number;
    readonly dropped: number;
  } | null;
}

/** What the store left when it closed: what the next start will find. */
export interface ClosingReport {
  /** Jobs in the jobs table (pending, or finished while the disk refused their end); undefined if it could not be read. */
  readonly jobsOnDisk: number | undefined;
  /** Finished jobs whose history entry could not be written: on disk they are still queued, and run again. */
  readonly unsaved: number;
  readonly fault: StoreFault | undefined;
}

export function storeReport(
  path: string,
  fault: StoreFault | undefined,
  unsaved: readonly string[],
  salvaged: SalvageReport | undefined,
): StoreReport {
  return {
    path,
    state: fault?.kind ?? 'ok',
    fault: fault
      ? { kind: fault.kind, code: fault.code, message: fault.message, since: new Date(fault.since).toISOString() }
      : null,
    unsaved_history: unsaved,
    salvaged: salvaged
      ? {
          damage: salvaged.damage,
          moved_aside: salvaged.movedAside,
          jobs: salvaged.jobs,
          history: salvaged.history,
          dropped: salvaged.dropped,
        }
      : null,
  };
}
