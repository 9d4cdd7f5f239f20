import { atom } from 'jotai';
import type { EditorEdge } from '../graph/types.js';

/** The wire picked up from an input (detach-by-drag, graph/detach.ts) while it is carried; never saved or undone. */
export const carriedWireAtom = atom<EditorEdge | undefined>(undefined);
