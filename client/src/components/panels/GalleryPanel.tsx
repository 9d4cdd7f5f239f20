import { useAtom, useAtomValue, useSetAtom } from 'jotai';
import { memo, useEffect, useState, type MouseEvent } from 'react';
import type { UiImageRef } from '../../../../shared/protocol.js';
import { viewUrl } from '../../api/server-api.js';
import { imageKey } from '../../execution/gallery.js';
import { togglePick } from '../../execution/viewer-runs.js';
import { useT } from '../../i18n/use-t.js';
import {
  galleryFilterAtom,
  galleryListAtom,
  openCompareAtom,
  openViewerAtom,
  refreshRunHistoryAtom,
} from '../../state/viewer-atoms.js';
import './gallery.css';

/**
 * Every run's images, newest first: the server's history (so the gallery survives a reload) merged with what this
 * tab saw arrive live. Saved images only by default; temp previews (masks, PreviewImage) on request.
 * A click opens the image in the viewer; Ctrl+click picks two to compare.
 */
export const GalleryPanel = memo(function GalleryPanel() {
  const t = useT();
  const [filter, setFilter] = useAtom(galleryFilterAtom);
  const images = useAtomValue(galleryListAtom);
  const refreshHistory = useSetAtom(refreshRunHistoryAtom);
  const openViewer = useSetAtom(openViewerAtom);
  const openCompare = useSetAtom(openCompareAtom);
  const [picked, setPicked] = useState<readonly string[]>([]);
  useEffect(() => {
    void refreshHistory();
  }, [refreshHistory]);

  const pickedImages = picked.flatMap((key) => images.filter((image) => imageKey(image) === key));
  const onThumbnail = (event: MouseEvent, image: UiImageRef): void => {
    // A middle click or Shift+click still opens the file itself, as a link does.
    if (event.button !== 0 || event.shiftKey) return;
    event.preventDefault();
    if (event.ctrlKey || event.metaKey) setPicked((current) => togglePick(current, imageKey(image)));
    else openViewer({ image });
  };
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
      {images.length >= 2 && (
        <div className="gallery-actions">
          <button
            disabled={pickedImages.length !== 2}
            onClick={() => {
              const [left, right] = pickedImages;
              if (left && right) openCompare({ left, right });
            }}
            title={t('viewer.galleryCompareHint')}
            data-testid="gallery-compare"
          >
            {t('viewer.galleryCompare', { count: String(pickedImages.length) })}
          </button>
        </div>
      )}
      <div className="gallery" data-testid="gallery">
        {images.length === 0 && <p className="empty">{t('emptyGallery')}</p>}
        {images.map((image) => (
          <a
            key={imageKey(image)}
            href={viewUrl(image)}
            target="_blank"
            rel="noreferrer"
            data-type={image.type}
            className={picked.includes(imageKey(image)) ? 'picked' : undefined}
            data-picked={picked.includes(imageKey(image)) || undefined}
            onClick={(event) => onThumbnail(event, image)}
          >
            <img src={viewUrl(image)} alt={image.filename} />
          </a>
        ))}
      </div>
    </div>
  );
});
