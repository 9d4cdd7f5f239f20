import { useAtomValue } from 'jotai';
import { memo, useEffect, useMemo, useState } from 'react';
import type { UiImageRef } from '../../../../shared/protocol.js';
import { api, viewUrl } from '../../api/server-api.js';
import { galleryImages, historyImages, imageKey, type GalleryFilter } from '../../execution/gallery.js';
import { useT } from '../../i18n/use-t.js';
import { executionAtom, galleryAtom } from '../../state/atoms.js';
import './gallery.css';

/** How many past runs the gallery reads back from the server's history. */
const GALLERY_RUNS = 200;

/**
 * Every run's images, newest first: the server's history (so the gallery survives a reload) merged with what this
 * tab saw arrive live. Saved images only by default; temp previews (masks, PreviewImage) on request.
 */
export const GalleryPanel = memo(function GalleryPanel() {
  const t = useT();
  const live = useAtomValue(galleryAtom);
  const queueRemaining = useAtomValue(executionAtom).queueRemaining;
  const [filter, setFilter] = useState<GalleryFilter>('saved');
  const [past, setPast] = useState<readonly UiImageRef[]>([]);
  useEffect(() => {
    let current = true;
    void api.history(GALLERY_RUNS).then((result) => {
      if (current && result.ok) setPast(historyImages(Object.values(result.value)));
    });
    return () => {
      current = false;
    };
  }, [queueRemaining]);
  const images = useMemo(() => galleryImages(past, live, filter), [filter, live, past]);
  return (
    <div className="gallery-panel">
      <label className="gallery-filter">
        <input
          type="checkbox"
          checked={filter === 'all'}
          onChange={(event) => setFilter(event.target.checked ? 'all' : 'saved')}
          data-testid="gallery-show-temp"
        />
        {t('galleryShowTemp')}
      </label>
      <div className="gallery" data-testid="gallery">
        {images.length === 0 && <p className="empty">{t('emptyGallery')}</p>}
        {images.map((image) => (
          <a key={imageKey(image)} href={viewUrl(image)} target="_blank" rel="noreferrer" data-type={image.type}>
            <img src={viewUrl(image)} alt={image.filename} />
          </a>
        ))}
      </div>
    </div>
  );
});
