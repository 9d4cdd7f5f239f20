import { useStore } from 'jotai';
import { useEffect } from 'react';
import { modifiedTabsAtom, tabModified, tabsAtom } from './atoms.js';

const SETTLE_MS = 150;

/** Keeps `modifiedTabsAtom` up to date: once at start, then each time the tabs have stopped changing for a moment. */
export function useUnsavedTracking(): void {
  const store = useStore();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const update = (): void => {
      timer = undefined;
      const ids = store
        .get(tabsAtom)
        .tabs.filter(tabModified)
        .map((tab) => tab.id);
      const current = store.get(modifiedTabsAtom);
      if (ids.length !== current.length || ids.some((id, index) => id !== current[index]))
        store.set(modifiedTabsAtom, ids);
    };
    update();
    const unsubscribe = store.sub(tabsAtom, () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(update, SETTLE_MS);
    });
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [store]);
}
