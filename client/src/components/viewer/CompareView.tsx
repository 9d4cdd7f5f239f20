import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { UiImageRef } from '../../../../shared/protocol.js';
import { viewUrl } from '../../api/server-api.js';
import { dividerAt, type Size } from '../../graph/image-view.js';
import { useT } from '../../i18n/use-t.js';
import type { CompareMode } from '../../state/viewer-atoms.js';
import { useDialogFocus } from './use-dialog-focus.js';
import { useImageView } from './use-image-view.js';
import { ViewerImage } from './ViewerImage.js';
import { ZoomControls } from './ZoomControls.js';

/** How far one ←/→ on the focused divider moves it (Shift: further). */
const KEY_STEP = 0.05;
const BIG_KEY_STEP = 0.2;

/** The size both images fit in: they share one scale and one offset, so a pixel of each lines up. */
function union(a: Size | undefined, b: Size | undefined): Size | undefined {
  if (!a || !b) return a ?? b;
  return { width: Math.max(a.width, b.width), height: Math.max(a.height, b.height) };
}

/**
 * Two outputs compared at the same scale: side by side (one zoom and pan for both panes), or one over the other with
 * a divider that a drag or ←/→ moves, the left image left of it and the right image right of it.
 */
export function CompareView({
  left,
  right,
  mode,
  onMode,
  onClose,
}: {
  readonly left: UiImageRef;
  readonly right: UiImageRef;
  readonly mode: CompareMode;
  readonly onMode: (mode: CompareMode) => void;
  readonly onClose: () => void;
}) {
  const t = useT();
  const dialogRef = useRef<HTMLDivElement>(null);
  const focus = useDialogFocus(dialogRef);
  const [leftSize, setLeftSize] = useState<Size | undefined>(undefined);
  const [rightSize, setRightSize] = useState<Size | undefined>(undefined);
  const { containerRef, paneRef, view, paneHandlers, fitNow, actualSize } = useImageView(
    union(leftSize, rightSize),
    mode,
  );
  const [divider, setDivider] = useState(0.5);
  const dragging = useRef<number | undefined>(undefined);

  const onKeyDown = (event: KeyboardEvent): void => {
    focus.onKeyDown(event);
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    }
  };
  const moveDividerTo = (event: PointerEvent<HTMLDivElement>): void => {
    const rect = paneRef.current?.getBoundingClientRect();
    if (rect && rect.width > 0) setDivider(dividerAt((event.clientX - rect.left) / rect.width));
  };
  const dividerHandlers = {
    onPointerDown: (event: PointerEvent<HTMLDivElement>) => {
      // The divider's drag is not the pane's pan.
      event.stopPropagation();
      event.currentTarget.setPointerCapture(event.pointerId);
      dragging.current = event.pointerId;
    },
    onPointerMove: (event: PointerEvent<HTMLDivElement>) => {
      if (dragging.current === event.pointerId) moveDividerTo(event);
    },
    onPointerUp: () => {
      dragging.current = undefined;
    },
    onKeyDown: (event: KeyboardEvent<HTMLDivElement>) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      event.preventDefault();
      const amount = (event.shiftKey ? BIG_KEY_STEP : KEY_STEP) * (event.key === 'ArrowRight' ? 1 : -1);
      setDivider((current) => dividerAt(current + amount));
    },
  };
  const image = (which: UiImageRef, size: Size | undefined, setSize: (size: Size) => void, testId: string) => (
    <ViewerImage src={viewUrl(which)} alt={which.filename} view={view} size={size} onSize={setSize} testId={testId} />
  );

  return (
    <div
      className="viewer compare"
      role="dialog"
      aria-modal="true"
      aria-label={t('viewer.compareTitle')}
      tabIndex={-1}
      ref={dialogRef}
      onKeyDown={onKeyDown}
      data-testid="compare"
      data-mode={mode}
    >
      <header className="viewer-bar">
        <span className="viewer-name">
          {left.filename} · {right.filename}
        </span>
        <span className="spacer" />
        <div className="viewer-modes" role="group" aria-label={t('viewer.compareTitle')}>
          <button onClick={() => onMode('side')} aria-pressed={mode === 'side'} data-testid="compare-side">
            {t('viewer.sideBySide')}
          </button>
          <button onClick={() => onMode('slider')} aria-pressed={mode === 'slider'} data-testid="compare-slider">
            {t('viewer.slider')}
          </button>
        </div>
        <ZoomControls scale={view.scale} onFit={fitNow} onActualSize={actualSize} />
        <button onClick={onClose} aria-label={t('close')} title={t('close')} data-testid="viewer-close">
          ×
        </button>
      </header>
      <div className={`viewer-stage compare-${mode}`} ref={containerRef}>
        {mode === 'side' ? (
          <>
            <div className="viewer-pane" ref={paneRef} data-scale={view.scale.toFixed(4)} {...paneHandlers}>
              {image(left, leftSize, setLeftSize, 'compare-left')}
              <span className="compare-label left">{left.filename}</span>
            </div>
            <div className="viewer-pane" data-scale={view.scale.toFixed(4)} {...paneHandlers}>
              {image(right, rightSize, setRightSize, 'compare-right')}
              <span className="compare-label left">{right.filename}</span>
            </div>
          </>
        ) : (
          <div className="viewer-pane" ref={paneRef} data-scale={view.scale.toFixed(4)} {...paneHandlers}>
            {image(left, leftSize, setLeftSize, 'compare-left')}
            <div
              className="compare-top"
              style={{ clipPath: `inset(0 0 0 ${(divider * 100).toFixed(2)}%)` }}
              data-testid="compare-clip"
            >
              {image(right, rightSize, setRightSize, 'compare-right')}
            </div>
            <div
              className="compare-divider"
              role="slider"
              tabIndex={0}
              aria-label={t('viewer.divider')}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(divider * 100)}
              aria-orientation="horizontal"
              style={{ left: `${divider * 100}%` }}
              data-testid="compare-divider"
              {...dividerHandlers}
            />
            <span className="compare-label left">{left.filename}</span>
            <span className="compare-label right">{right.filename}</span>
          </div>
        )}
      </div>
    </div>
  );
}
