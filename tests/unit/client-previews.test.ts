import { describe, expect, it } from 'vitest';
import {
  imagesAnnounced,
  imagesKey,
  imagesShown,
  previewArrived,
  shownPreview,
  type Previews,
} from '../../client/src/execution/previews.js';
import type { UiImageRef, WsMessage } from '../../shared/protocol.js';

const image: UiImageRef = { filename: 'ink_00001_.png', subfolder: '', type: 'output' };
const executed = (node: string, images: readonly UiImageRef[] | undefined): WsMessage => ({
  type: 'executed',
  data: { node, display_node: node, output: images ? { images: [...images] } : null, prompt_id: 'p' },
});

describe('step previews stay until the node’s image has loaded', () => {
  it('a new preview replaces the old one and hands the old URL back', () => {
    let update = previewArrived({}, '3', 'blob:1');
    expect(update).toEqual({ previews: { '3': { url: 'blob:1' } }, revoked: [] });
    update = previewArrived(update.previews, '3', 'blob:2');
    expect(update).toEqual({ previews: { '3': { url: 'blob:2' } }, revoked: ['blob:1'] });
  });

  it('a preview with no images of its node stays (the sampler keeps its last step)', () => {
    const { previews } = previewArrived({}, '3', 'blob:1');
    // The run's other nodes report their images; the sampler's preview is untouched.
    expect(imagesAnnounced(previews, [executed('9', [image]), executed('3', undefined)])).toBe(previews);
    expect(imagesShown(previews, '3', imagesKey([image]))).toEqual({ previews, revoked: [] });
  });

  it('the node’s own images are announced, then the preview goes once they have loaded', () => {
    const { previews } = previewArrived({}, '9', 'blob:1');
    const waiting = imagesAnnounced(previews, [executed('9', [image])]);
    expect(waiting['9']).toEqual({ url: 'blob:1', replacedBy: imagesKey([image]) });
    // Older images loading again (the node drawn anew) do not take the preview away.
    expect(imagesShown(waiting, '9', imagesKey([{ ...image, filename: 'old.png' }])).previews).toBe(waiting);
    expect(imagesShown(waiting, '9', imagesKey([image]))).toEqual({ previews: {}, revoked: ['blob:1'] });
  });

  it('a preview that comes after the images were announced waits for images of its own', () => {
    const first: Previews = imagesAnnounced(previewArrived({}, '9', 'blob:1').previews, [executed('9', [image])]);
    const { previews } = previewArrived(first, '9', 'blob:2');
    expect(previews['9']).toEqual({ url: 'blob:2' });
    expect(imagesShown(previews, '9', imagesKey([image])).previews).toBe(previews);
  });

  it('a node shows a preview only of the prompt its run state is of (not another tab’s, not a new run’s)', () => {
    const { previews } = previewArrived({}, '3', 'blob:1', 'prompt-a');
    expect(previews['3']).toEqual({ url: 'blob:1', promptId: 'prompt-a' });
    expect(shownPreview(previews['3'], 'prompt-a')).toBe(previews['3']);
    expect(shownPreview(previews['3'], 'prompt-b')).toBeUndefined();
    expect(shownPreview(previews['3'], undefined)).toBeUndefined();
    expect(shownPreview({ url: 'blob:2' }, undefined)).toEqual({ url: 'blob:2' });
    expect(shownPreview(undefined, 'prompt-a')).toBeUndefined();
  });
});
