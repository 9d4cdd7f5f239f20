import type { HistoryRef } from './job-store.js';

/** How many bytes of stored history are read in one go (one entry alone may be bigger). */
const BATCH_BYTES = 1024 * 1024;

/** Consecutive refs of about `BATCH_BYTES` together (one, if it is bigger alone). */
export function* historyBatches(refs: readonly HistoryRef[]): Generator<readonly HistoryRef[]> {
  let from = 0;
  while (from < refs.length) {
    let to = from + 1;
    let bytes = refs[from]!.bytes;
    while (to < refs.length && bytes + refs[to]!.bytes <= BATCH_BYTES) bytes += refs[to++]!.bytes;
    yield refs.slice(from, to);
    from = to;
  }
}
