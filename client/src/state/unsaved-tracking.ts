import { atom, useStore } from 'jotai';
import { useEffect } from 'react';
import { modifiedTabsAtom, tabModified, tabsAtom } from './atoms.js';

const SETTLE_MS = 150;

/** How many checks have run: the tab bar shows it (data-unsaved-checks), so a test can wait for the next one. */
export const unsavedChecksAtom = atom(0);

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
      store.set(unsavedChecksAtom, store.get(unsavedChecksAtom) + 1);
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
