import type { Response } from 'express';
import type { HistoryAnswerPlan } from '../prompt-queue.js';
import type { HistoryRef } from '../store/job-store.js';
import { historyBatches } from '../store/history-batches.js';

export const LEFT_OUT_HEADER = 'X-Inkgraph-History-Left-Out';
export const NEXT_OFFSET_HEADER = 'X-Inkgraph-History-Next-Offset';
export const NEXT_MAX_ITEMS_HEADER = 'X-Inkgraph-History-Next-Max-Items';

/**
 * Writes `{"prompt_id": entry, …}` from the entries' stored JSON texts, never parsed: read a batch at a time (the
 * store's iterators would block its other statements), each text written as it is, waiting for the socket to
 * drain. A store fault before the first byte is thrown (the route answers it); after, the answer is cut off.
 */
export async function writeHistoryAnswer(
  res: Response,
  plan: HistoryAnswerPlan,
  readTexts: (refs: readonly HistoryRef[]) => { promptId: string; text: string }[],
): Promise<void> {
  let wroteAny = false;
  const start = (): void => {
    res.status(200).type('application/json');
    res.setHeader(LEFT_OUT_HEADER, String(plan.leftOut));
    if (plan.leftOut > 0) {
      res.setHeader(NEXT_OFFSET_HEADER, String(plan.nextOffset));
      res.setHeader(NEXT_MAX_ITEMS_HEADER, String(plan.leftOut));
    }
    res.setHeader(
      'Access-Control-Expose-Headers',
      [LEFT_OUT_HEADER, NEXT_OFFSET_HEADER, NEXT_MAX_ITEMS_HEADER].join(', '),
    );
    res.write('{');
  };
  for (const batch of historyBatches(plan.refs)) {
    let texts: { promptId: string; text: string }[];
    try {
      texts = readTexts(batch);
    } catch (error) {
      if (!res.headersSent) throw error;
      res.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!res.headersSent) start();
    for (const { promptId, text } of texts) {
      res.write(`${wroteAny ? ',' : ''}${JSON.stringify(promptId)}:`);
      wroteAny = true;
      if (!res.write(text) && !(await drained(res))) return;
    }
  }
  if (!res.headersSent) start();
  res.end('}');
}

/** Resolves true once the socket takes more, false if it closed first. */
function drained(res: Response): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (result: boolean): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(result);
    };
    const onDrain = (): void => finish(true);
    const onClose = (): void => finish(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
