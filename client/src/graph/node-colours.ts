/**
 * The node colours of ComfyUI's frontend (litegraph's `LGraphCanvas.node_colors`): `color` paints the title bar,
 * `bgcolor` the body. The names are ComfyUI's.
 */
export interface NodeColour {
  readonly color: string;
  readonly bgcolor: string;
}

export const NODE_COLOURS = {
  red: { color: '#322', bgcolor: '#533' },
  brown: { color: '#332922', bgcolor: '#593930' },
  green: { color: '#232', bgcolor: '#353' },
  blue: { color: '#223', bgcolor: '#335' },
  pale_blue: { color: '#2a363b', bgcolor: '#3f5159' },
  cyan: { color: '#233', bgcolor: '#355' },
  purple: { color: '#323', bgcolor: '#535' },
  yellow: { color: '#432', bgcolor: '#653' },
  black: { color: '#222', bgcolor: '#000' },
} as const satisfies Record<string, NodeColour>;

export type NodeColourName = keyof typeof NODE_COLOURS;

export const NODE_COLOUR_NAMES = Object.keys(NODE_COLOURS) as NodeColourName[];
