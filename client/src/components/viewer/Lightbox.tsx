import { useRef, useState, type KeyboardEvent } from 'react';
import type { UiImageRef } from '../../../../shared/protocol.js';
import { viewUrl } from '../../api/server-api.js';
import { imageKey } from '../../execution/gallery.js';
import { step } from '../../execution/viewer-runs.js';
import type { Size } from '../../graph/image-view.js';
import { useT } from '../../i18n/use-t.js';
import { RunInfo } from './RunInfo.js';
import { useDialogFocus } from './use-dialog-focus.js';
import { useImageView } from './use-image-view.js';
import { ViewerImage } from './ViewerImage.js';
import { ZoomControls } from './ZoomControls.js';

/** Keys that zoom, as image viewers have them: + and − about the centre, 0 fits, 1 shows actual size. */
const KEY_ACTIONS: Readonly<Partial<Record<string, 'in' | 'out' | 'fit' | 'actual'>>> = {
  '+': 'in',
  '=': 'in',
  '-': 'out',
  '0': 'fit',
  '1': 'actual',
};
const KEY_ZOOM = 1.25;

/**
 * The lightbox: one output over the whole window, zoomed with the wheel about the cursor, panned by dragging,
 * ←/→ through its run's batch and on through the gallery; its run's prompt and settings at the side.
 */
export function Lightbox({
  images,
  index,
  picking,
  historyLoaded,
  onIndex,
  onPicking,
  onCompare,
  onLoadWorkflow,
  onClose,
}: {
  readonly images: readonly UiImageRef[];
  readonly index: number;
  readonly picking: boolean;
  readonly historyLoaded: boolean;
  readonly onIndex: (index: number) => void;
  readonly onPicking: (picking: boolean) => void;
  readonly onCompare: (other: UiImageRef) => void;
  readonly onLoadWorkflow: (document: unknown) => void;
  readonly onClose: () => void;
}) {
  const t = useT();
  const dialogRef = useRef<HTMLDivElement>(null);
  const focus = useDialogFocus(dialogRef);
  const image = images[index];
  const [sizes, setSizes] = useState<Readonly<Record<string, Size>>>({});
  const size = image ? sizes[imageKey(image)] : undefined;
  const { containerRef, paneRef, view, paneHandlers, fitNow, actualSize, zoomBy } = useImageView(size);
  if (!image) return null;

  const go = (delta: number): void => onIndex(step(index, delta, images.length));
  const onKeyDown = (event: KeyboardEvent): void => {
    focus.onKeyDown(event);
    if (event.key === 'Escape') {
      event.preventDefault();
      if (picking) onPicking(false);
      else onClose();
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      go(event.key === 'ArrowRight' ? 1 : -1);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      onIndex(event.key === 'Home' ? 0 : Math.max(0, images.length - 1));
    } else if (!event.ctrlKey && !event.metaKey && !event.altKey && KEY_ACTIONS[event.key]) {
      event.preventDefault();
      const action = KEY_ACTIONS[event.key];
      if (action === 'fit') fitNow();
      else if (action === 'actual') actualSize();
      else zoomBy(action === 'in' ? KEY_ZOOM : 1 / KEY_ZOOM);
    }
  };

  return (
    <div
      className="viewer"
      role="dialog"
      aria-modal="true"
      aria-label={t('viewer.title')}
      tabIndex={-1}
      ref={dialogRef}
      onKeyDown={onKeyDown}
      data-testid="viewer"
    >
      <header className="viewer-bar">
        <span className="viewer-counter" aria-live="polite" data-testid="viewer-counter">
          {index + 1} / {images.length}
        </span>
        <a className="viewer-name" href={viewUrl(image)} target="_blank" rel="noreferrer" title={t('viewer.openImage')}>
          {image.filename}
        </a>
        <span className="spacer" />
        <ZoomControls scale={view.scale} onFit={fitNow} onActualSize={actualSize} />
        <button
          onClick={() => onPicking(!picking)}
          aria-pressed={picking}
          disabled={images.length < 2}
          data-testid="viewer-compare-with"
        >
          {t('viewer.compareWith')}
        </button>
        <button onClick={onClose} aria-label={t('close')} title={t('close')} data-testid="viewer-close">
          ×
        </button>
      </header>
      <div className="viewer-body">
        <div className="viewer-stage" ref={containerRef}>
          <div
            className="viewer-pane"
            ref={paneRef}
            data-testid="viewer-pane"
            data-scale={view.scale.toFixed(4)}
            {...paneHandlers}
          >
            <ViewerImage
              src={viewUrl(image)}
              alt={image.filename}
              view={view}
              size={size}
              onSize={(loaded) => setSizes((current) => ({ ...current, [imageKey(image)]: loaded }))}
              testId="viewer-image"
            />
          </div>
          <button
            className="viewer-step previous"
            onClick={() => go(-1)}
            disabled={index === 0}
            aria-label={t('viewer.previous')}
            title={t('viewer.previous')}
            data-testid="viewer-previous"
          >
            ‹
          </button>
          <button
            className="viewer-step next"
            onClick={() => go(1)}
            disabled={index === images.length - 1}
            aria-label={t('viewer.next')}
            title={t('viewer.next')}
            data-testid="viewer-next"
          >
            ›
          </button>
          {picking && (
            <div className="viewer-pick" data-testid="viewer-pick">
              <p>{t('viewer.pickHint')}</p>
              <div className="viewer-pick-strip">
                {images.map((candidate, candidateIndex) =>
                  candidateIndex === index ? null : (
                    <button
                      key={imageKey(candidate)}
                      onClick={() => onCompare(candidate)}
                      title={candidate.filename}
                      data-testid="viewer-pick-image"
                    >
                      <img src={viewUrl(candidate)} alt={candidate.filename} />
                    </button>
                  ),
                )}
              </div>
            </div>
          )}
        </div>
        <RunInfo image={image} loading={!historyLoaded} onLoadWorkflow={onLoadWorkflow} />
      </div>
    </div>
  );
}
