import { useEffect, useLayoutEffect, useRef } from 'react';
import { matchShortcut, type ScopeAction, type ShortcutScope } from './keymap.js';

/**
 * Runs an action of the keymap. Returning false means the shortcut does not apply now (say, nothing is selected):
 * the key keeps its default.
 */
export type ActionHandler = () => void | false;
export type ShortcutHandlers<S extends ShortcutScope> = Readonly<Record<ScopeAction<S>, ActionHandler>>;

/** Focus is in a text field, a select or editable content, where keys belong to the field. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.matches('input, textarea, select') || target.isContentEditable);
}

/** Dispatches the window's key presses to a scope's handlers through the keymap. */
export function useShortcuts<S extends ShortcutScope>(scope: S, handlers: ShortcutHandlers<S>): void {
  // The listener stays put while the handlers, which close over the current graph, change every render.
  const latest = useRef(handlers);
  useLayoutEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const action = matchShortcut(event, scope, isTyping(event.target));
      if (action !== undefined && latest.current[action]() !== false) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [scope]);
}
