import { useReactFlow } from '@xyflow/react';
import { useAtomValue, useSetAtom, useStore } from 'jotai';
import { useEffect, useRef } from 'react';
import { pasteWorkflowText } from '../graph/clipboard.js';
import { graphAtom, objectInfoAtom, showToastAtom, updateGraphAtom } from '../state/atoms.js';

/** Where the mouse last was over the canvas (not its panels), in window coordinates. */
function overCanvas(event: PointerEvent): boolean {
  return (
    event.target instanceof Element &&
    event.target.closest('.react-flow') !== null &&
    event.target.closest('.react-flow__panel') === null
  );
}

/**
 * Ctrl+V (the window's paste event): workflow JSON from the clipboard, pasted with its top-left at the mouse as
 * ComfyUI pastes, or offset from where it was copied when the mouse has not been over the canvas yet.
 */
export function usePasteAtPointer(): void {
  const store = useStore();
  const objectInfo = useAtomValue(objectInfoAtom);
  const updateGraph = useSetAtom(updateGraphAtom);
  const showToast = useSetAtom(showToastAtom);
  const { screenToFlowPosition } = useReactFlow();
  const pointer = useRef<{ x: number; y: number } | undefined>(undefined);

  useEffect(() => {
    const onMove = (event: PointerEvent): void => {
      if (overCanvas(event)) pointer.current = { x: event.clientX, y: event.clientY };
    };
    window.addEventListener('pointermove', onMove);
    return () => window.removeEventListener('pointermove', onMove);
  }, []);

  useEffect(() => {
    const onPaste = (event: ClipboardEvent): void => {
      if (event.target instanceof HTMLElement && event.target.matches('input, textarea')) return;
      const text = event.clipboardData?.getData('text/plain');
      if (!text || !objectInfo) return;
      // Converted now, not when the mouse moved: the canvas may have been panned or zoomed under a still mouse.
      const at = pointer.current ? screenToFlowPosition(pointer.current) : undefined;
      const result = pasteWorkflowText(store.get(graphAtom), text, objectInfo, at);
      if (!result.ok) showToast({ kind: 'error', text: result.reason });
      else updateGraph({ update: () => result.value.graph });
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [objectInfo, screenToFlowPosition, showToast, store, updateGraph]);
}
