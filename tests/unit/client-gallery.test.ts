import { describe, expect, it } from 'vitest';
import { galleryImages, historyImages } from '../../client/src/execution/gallery.js';
import type { UiImageRef } from '../../shared/protocol.js';

const saved = (filename: string): UiImageRef => ({ filename, subfolder: '', type: 'output' });
const temp = (filename: string): UiImageRef => ({ filename, subfolder: '', type: 'temp' });

describe('the gallery from history and live results', () => {
  it("lists every run's images in the order the runs made them", () => {
    const images = historyImages([
      { outputs: { '9': { images: [saved('a.png')] }, '14': { images: [temp('mask-a.png')] } } },
      { outputs: { '15': { text: ['a star'] } } },
      { outputs: { '9': { images: [saved('b.png'), saved('c.png')] } } },
    ]);
    expect(images.map((image) => image.filename)).toEqual(['a.png', 'mask-a.png', 'b.png', 'c.png']);
  });

  it('shows saved images only, newest first, by default; all adds temp previews', () => {
    const past = [saved('a.png'), temp('mask-a.png'), saved('b.png')];
    const live = [saved('c.png'), temp('mask-c.png')];
    expect(galleryImages(past, live, 'saved').map((image) => image.filename)).toEqual(['c.png', 'b.png', 'a.png']);
    expect(galleryImages(past, live, 'all').map((image) => image.filename)).toEqual([
      'mask-c.png',
      'c.png',
      'b.png',
      'mask-a.png',
      'a.png',
    ]);
  });

  it('counts an image the history and the live results both hold once, at its newest place', () => {
    const past = [saved('a.png'), saved('b.png')];
    const live = [saved('a.png')];
    expect(galleryImages(past, live, 'saved').map((image) => image.filename)).toEqual(['a.png', 'b.png']);
  });

  it('tells apart images of the same name in different folders or of different types', () => {
    const images = galleryImages(
      [saved('x.png'), { filename: 'x.png', subfolder: 'sub', type: 'output' }, temp('x.png')],
      [],
      'all',
    );
    expect(images).toHaveLength(3);
  });
});
