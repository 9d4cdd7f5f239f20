import { useCallback, useEffect, useLayoutEffect, useRef, useState, type PointerEvent, type MouseEvent } from 'react';
import {
  fit,
  panBy,
  toggleActualSize,
  wheelZoom,
  zoomTo,
  type ImageView,
  type Point,
  type Size,
} from '../../graph/image-view.js';

/** Room left around a fitted image. */
const MARGIN = 16;

/** The pane point under a pointer: each pane of a side-by-side compare has its own origin. */
function pointIn(event: { clientX: number; clientY: number; target: EventTarget | null }, fallback: Element): Point {
  const pane = (event.target instanceof Element && event.target.closest('.viewer-pane')) || fallback;
  const rect = pane.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

/**
 * Zoom and pan shared by every pane inside `containerRef` (one in the lightbox, two side by side): the wheel zooms
 * about the cursor, a drag pans, a double-click toggles fit and 1:1. The view fits again when the image's size or
 * the pane's changes. `layout` names the panes' arrangement: when it changes, the pane is measured again.
 */
export function useImageView(content: Size | undefined, layout = '') {
  const containerRef = useRef<HTMLDivElement>(null);
  const paneRef = useRef<HTMLDivElement>(null);
  const [pane, setPane] = useState<Size | undefined>(undefined);
  const [view, setView] = useState<ImageView>({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ pointer: number; x: number; y: number } | undefined>(undefined);

  useLayoutEffect(() => {
    const element = paneRef.current;
    if (!element) return;
    const measure = (): void => setPane({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [layout]);

  const width = content?.width;
  const height = content?.height;
  const paneWidth = pane?.width;
  const paneHeight = pane?.height;
  const fitNow = useCallback(() => {
    if (width === undefined || height === undefined || paneWidth === undefined || paneHeight === undefined) return;
    setView(fit({ width, height }, { width: paneWidth, height: paneHeight }, MARGIN));
  }, [height, paneHeight, paneWidth, width]);
  useLayoutEffect(fitNow, [fitNow]);

  // A native listener: React's wheel listener is passive, and the page must not scroll or zoom under the image.
  useEffect(() => {
    const element = containerRef.current;
    if (!element) return;
    const onWheel = (event: WheelEvent): void => {
      event.preventDefault();
      const at = pointIn(event, paneRef.current ?? element);
      setView((current) => wheelZoom(current, event.deltaY, at));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  /** Keyboard zoom (+/−): about the pane's centre. */
  const zoomBy = useCallback(
    (factor: number) => {
      if (paneWidth === undefined || paneHeight === undefined) return;
      setView((current) => zoomTo(current, current.scale * factor, { x: paneWidth / 2, y: paneHeight / 2 }));
    },
    [paneHeight, paneWidth],
  );

  const actualSize = useCallback(() => {
    if (paneWidth === undefined || paneHeight === undefined) return;
    setView((current) => zoomTo(current, 1, { x: paneWidth / 2, y: paneHeight / 2 }));
  }, [paneHeight, paneWidth]);

  const paneHandlers = {
    onPointerDown: (event: PointerEvent<HTMLDivElement>) => {
      if (event.button !== 0) return;
      event.currentTarget.setPointerCapture(event.pointerId);
      drag.current = { pointer: event.pointerId, x: event.clientX, y: event.clientY };
    },
    onPointerMove: (event: PointerEvent<HTMLDivElement>) => {
      const from = drag.current;
      if (!from || from.pointer !== event.pointerId) return;
      drag.current = { pointer: event.pointerId, x: event.clientX, y: event.clientY };
      setView((current) => panBy(current, event.clientX - from.x, event.clientY - from.y));
    },
    onPointerUp: () => {
      drag.current = undefined;
    },
    onPointerCancel: () => {
      drag.current = undefined;
    },
    onDoubleClick: (event: MouseEvent<HTMLDivElement>) => {
      if (width === undefined || height === undefined || paneWidth === undefined || paneHeight === undefined) return;
      const at = pointIn(event, event.currentTarget);
      setView((current) =>
        toggleActualSize(current, { width, height }, { width: paneWidth, height: paneHeight }, at, MARGIN),
      );
    },
  };

  return { containerRef, paneRef, view, paneHandlers, fitNow, actualSize, zoomBy };
}
