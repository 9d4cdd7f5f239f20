import { atom, useStore } from 'jotai';
import { useCallback } from 'react';

/**
 * A question the editor asks before it overwrites, deletes or throws away work, answered in an in-app dialog
 * (ConfirmDialog: Enter confirms, Escape cancels), not `window.confirm`.
 */
export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  /** The confirm button is drawn as destructive (delete, discard). */
  readonly danger?: boolean;
}

export interface PendingConfirm extends ConfirmRequest {
  readonly answer: (confirmed: boolean) => void;
}

export const confirmAtom = atom<PendingConfirm | undefined>(undefined);

/** Asks; resolves true on confirm, false on cancel (a newer question cancels an open one). */
export function useConfirm(): (request: ConfirmRequest) => Promise<boolean> {
  const store = useStore();
  return useCallback(
    (request) =>
      new Promise<boolean>((resolve) => {
        store.get(confirmAtom)?.answer(false);
        store.set(confirmAtom, {
          ...request,
          answer: (confirmed) => {
            store.set(confirmAtom, undefined);
            resolve(confirmed);
          },
        });
      }),
    [store],
  );
}
