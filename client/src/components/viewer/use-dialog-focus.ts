import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog's focus: the dialog takes focus when it opens, Tab and Shift+Tab stay inside it, and focus goes back
 * where it was when it closes. `onKeyDown` also keeps every key inside: the editor's shortcuts (Delete, Ctrl+Z, …)
 * listen on the window and must not act on the graph behind the dialog.
 */
export function useDialogFocus(ref: RefObject<HTMLElement | null>): { onKeyDown: (event: KeyboardEvent) => void } {
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    opener.current = document.activeElement;
    ref.current?.focus();
    return () => {
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected) back.focus();
    };
  }, [ref]);
  return {
    onKeyDown: (event) => {
      event.stopPropagation();
      if (event.key !== 'Tab' || !ref.current) return;
      const focusable = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = focusable[0];
      const last = focusable.at(-1);
      if (!first || !last) {
        event.preventDefault();
        return;
      }
      const active = document.activeElement;
      if (event.shiftKey && (active === first || active === ref.current)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !ref.current.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    },
  };
}
