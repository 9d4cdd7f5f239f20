import { describe, expect, it } from 'vitest';
import { compareJobs, fromQueueItem, jobWithoutSecrets, toQueueItem, type QueuedJob } from '../../server/queued-job.js';
import { queueAnswer } from '../../server/routes/queue-answer.js';
import { queueItemSchema } from '../../shared/protocol.js';

const job: QueuedJob = {
  number: 3,
  promptId: 'p',
  prompt: { '1': { class_type: 'SaveImage', inputs: { images: ['2', 0] } } },
  extraData: { client_id: 'c', api_key_comfy_org: 'k' },
  outputs: ['1'],
};

describe('QueuedJob and ComfyUI’s queue tuple', () => {
  it('makes [number, prompt_id, prompt, extra_data, outputs_to_execute], and reads it back', () => {
    const item = toQueueItem(job);
    expect(item).toEqual([3, 'p', job.prompt, { client_id: 'c', api_key_comfy_org: 'k' }, ['1']]);
    expect(queueItemSchema.parse(item)).toEqual(item);
    expect(fromQueueItem(item)).toEqual(job);
  });

  it('leaves secrets out of what is written down, and the job itself as it was', () => {
    expect(toQueueItem(jobWithoutSecrets(job))[3]).toEqual({ client_id: 'c' });
    expect(job.extraData).toEqual({ client_id: 'c', api_key_comfy_org: 'k' });
  });

  it('orders by number, then prompt id', () => {
    const at = (number: number, promptId: string): QueuedJob => ({ ...job, number, promptId });
    const sorted = [at(1, 'b'), at(-2, 'z'), at(1, 'a'), at(0.5, 'c'), at(1, 'a')].sort(compareJobs);
    expect(sorted.map((queued) => `${queued.number}${queued.promptId}`)).toEqual(['-2z', '0.5c', '1a', '1a', '1b']);
  });

  it('answers GET /queue with tuples, running then pending, then paused', () => {
    const answer = queueAnswer({ running: [job], pending: [{ ...job, promptId: 'q', number: 4 }] }, true);
    expect(JSON.stringify(answer)).toBe(
      JSON.stringify({
        queue_running: [toQueueItem(job)],
        queue_pending: [toQueueItem({ ...job, promptId: 'q', number: 4 })],
        paused: true,
      }),
    );
    expect(queueAnswer({ running: [], pending: [] }, false)).toEqual({
      queue_running: [],
      queue_pending: [],
      paused: false,
    });
  });
});
