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
  /** A third answer's label, between cancel and confirm (ComfyUI's "save before closing?" has one). */
  readonly alternative?: string;
}

export type ConfirmChoice = 'confirm' | 'alternative' | 'cancel';

export interface PendingConfirm extends ConfirmRequest {
  readonly answer: (choice: ConfirmChoice) => void;
}

export const confirmAtom = atom<PendingConfirm | undefined>(undefined);

/** Asks; resolves with the answer (a newer question cancels an open one). */
export function useChoice(): (request: ConfirmRequest) => Promise<ConfirmChoice> {
  const store = useStore();
  return useCallback(
    (request) =>
      new Promise<ConfirmChoice>((resolve) => {
        store.get(confirmAtom)?.answer('cancel');
        store.set(confirmAtom, {
          ...request,
          answer: (choice) => {
            store.set(confirmAtom, undefined);
            resolve(choice);
          },
        });
      }),
    [store],
  );
}

/** Asks a yes-or-no question; resolves true on confirm, false on cancel. */
export function useConfirm(): (request: Omit<ConfirmRequest, 'alternative'>) => Promise<boolean> {
  const choose = useChoice();
  return useCallback(async (request) => (await choose(request)) === 'confirm', [choose]);
}
