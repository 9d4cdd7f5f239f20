/**
 * Pillow's median-cut palette (libImaging/Quant.c, `quantize` with kmeans 0), the palette ComfyUI's ImageQuantize
 * gets from `Image.quantize(colors)`. Followed step by step so that the same image gives the same palette:
 * colours counted (coarsened a bit per channel until at most 65536 remain), boxes split at the count median
 * of their widest luminance-weighted axis, the most populous box first (Pillow's heap, ties as it breaks them),
 * boxes of a single colour never split, and each box's entry the rounded mean of its pixels, in tree order.
 */

const MAX_HASH_ENTRIES = 65536;

interface ColorEntry {
  /** The colour at the final scale (each channel >> scale). */
  readonly v: readonly [number, number, number];
  readonly count: number;
}

interface Box {
  /** The box's colours sorted by each axis, highest first (Pillow's lists, head = max). */
  readonly sorted: readonly [ColorEntry[], ColorEntry[], ColorEntry[]];
  readonly pixelCount: number;
  left?: Box;
  right?: Box;
}

/** A colour with each channel shifted right by `scale`, packed as 0xRRGGBB. */
function coarsen(key: number, scale: number): number {
  return (((key >> 16) >> scale) << 16) | ((((key >> 8) & 0xff) >> scale) << 8) | ((key & 0xff) >> scale);
}

/**
 * Distinct colours and their counts, as create_pixel_hash leaves them. Pillow coarsens one bit per channel whenever
 * more than 65536 distinct colours have been seen; whatever the pixel order, that ends at the least scale at which
 * the whole image has at most 65536, so that scale is found directly (sorted keys, counted in runs).
 */
function countColors(rgb: Uint8Array): { entries: ColorEntry[]; scale: number } {
  const pixels = rgb.length / 3;
  const keys = new Uint32Array(pixels);
  for (let i = 0; i < pixels; i++) keys[i] = (rgb[i * 3]! << 16) | (rgb[i * 3 + 1]! << 8) | rgb[i * 3 + 2]!;
  for (let scale = 0; ; scale++) {
    const sorted = scale === 0 ? keys.slice() : keys.map((key) => coarsen(key, scale));
    sorted.sort();
    let distinct = pixels > 0 ? 1 : 0;
    for (let i = 1; i < pixels; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
    if (distinct > MAX_HASH_ENTRIES) continue;
    const entries: ColorEntry[] = [];
    for (let start = 0; start < pixels;) {
      let end = start + 1;
      while (end < pixels && sorted[end] === sorted[start]) end++;
      const k = sorted[start]!;
      entries.push({ v: [k >> 16, (k >> 8) & 0xff, k & 0xff], count: end - start });
      start = end;
    }
    return { entries, scale };
  }
}

function boxVolume(box: Box): number {
  const [r, g, b] = box.sorted;
  return (
    (r[0]!.v[0] - r[r.length - 1]!.v[0] + 1) *
    (g[0]!.v[1] - g[g.length - 1]!.v[1] + 1) *
    (b[0]!.v[2] - b[b.length - 1]!.v[2] + 1)
  );
}

/** splitlists: the colours at or above the count median of `axis` go left, the rest right. */
function splitBox(box: Box): void {
  const [r, g, b] = box.sorted;
  const weights = [
    (r[0]!.v[0] - r[r.length - 1]!.v[0]) * 77,
    (g[0]!.v[1] - g[g.length - 1]!.v[1]) * 150,
    (b[0]!.v[2] - b[b.length - 1]!.v[2]) * 29,
  ];
  let axis = 0;
  for (let i = 1; i < 3; i++) if (weights[axis]! < weights[i]!) axis = i;
  const list = box.sorted[axis as 0 | 1 | 2];
  const goesRight = new Set<ColorEntry>();
  let index = 0;
  let left = 0;
  while (index < list.length) {
    left += list[index]!.count;
    index++;
    if (left * 2 > box.pixelCount) break;
  }
  if (index < list.length) {
    // Colours equal on this axis to the last one taken stay on its side.
    const splitValue = list[index - 1]!.v[axis]!;
    while (index < list.length && list[index]!.v[axis] === splitValue) index++;
  }
  for (let i = index; i < list.length; i++) goesRight.add(list[i]!);
  if (goesRight.size === 0) {
    // Nothing left over: the lowest value's colours go right instead.
    const last = list[list.length - 1]!.v[axis]!;
    for (let i = list.length - 1; i >= 0 && list[i]!.v[axis] === last; i--) goesRight.add(list[i]!);
  }
  let rightCount = 0;
  for (const entry of goesRight) rightCount += entry.count;
  const part = (right: boolean) =>
    box.sorted.map((sortedList) => sortedList.filter((entry) => goesRight.has(entry) === right)) as [
      ColorEntry[],
      ColorEntry[],
      ColorEntry[],
    ];
  box.left = { sorted: part(false), pixelCount: box.pixelCount - rightCount };
  box.right = { sorted: part(true), pixelCount: rightCount };
}

/** Pillow's QuantHeap: a 1-based binary max-heap on pixelCount with its own sift rules (they decide ties). */
class BoxHeap {
  private readonly heap: (Box | undefined)[] = [undefined];
  private count = 0;
  add(box: Box): void {
    let k = ++this.count;
    while (k !== 1) {
      const parent = this.heap[k >> 1]!;
      if (box.pixelCount - parent.pixelCount <= 0) break;
      this.heap[k] = parent;
      k >>= 1;
    }
    this.heap[k] = box;
  }
  remove(): Box | undefined {
    if (this.count === 0) return undefined;
    const top = this.heap[1]!;
    const last = this.heap[this.count--]!;
    let k = 1;
    while (k * 2 <= this.count) {
      let l = k * 2;
      if (l < this.count && this.heap[l]!.pixelCount - this.heap[l + 1]!.pixelCount < 0) l++;
      if (last.pixelCount - this.heap[l]!.pixelCount > 0) break;
      this.heap[k] = this.heap[l];
      k = l;
    }
    this.heap[k] = last;
    return top;
  }
}

function sortedBy(entries: readonly ColorEntry[], axis: 0 | 1 | 2): ColorEntry[] {
  // Pillow's merge sort puts equal values in an order of its hash table's; ties never change a split.
  return [...entries].sort((a, b) => b.v[axis] - a.v[axis]);
}

function leaves(box: Box, out: Box[]): Box[] {
  if (box.left && box.right) {
    leaves(box.left, out);
    leaves(box.right, out);
  } else if (box.sorted[0].length > 0) out.push(box);
  return out;
}

/** The palette (r, g, b per entry, at most `colors` entries) for packed 8-bit RGB pixels. */
export function medianCutPalette(rgb: Uint8Array, colors: number): Uint8Array {
  const pixels = rgb.length / 3;
  if (pixels === 0) return new Uint8Array(0);
  const { entries, scale } = countColors(rgb);
  const root: Box = { sorted: [sortedBy(entries, 0), sortedBy(entries, 1), sortedBy(entries, 2)], pixelCount: pixels };
  const heap = new BoxHeap();
  heap.add(root);
  for (let splits = colors - 1; splits > 0; splits--) {
    let box = heap.remove();
    while (box && boxVolume(box) === 1) box = heap.remove();
    if (!box) break;
    splitBox(box);
    heap.add(box.left!);
    heap.add(box.right!);
  }
  const boxes = leaves(root, []);
  const boxOf = new Map<number, number>();
  boxes.forEach((box, index) => {
    for (const entry of box.sorted[0]) boxOf.set((entry.v[0] << 16) | (entry.v[1] << 8) | entry.v[2], index);
  });
  // Each entry is the mean of the original (not coarsened) pixels in its box, rounded half up.
  const sums = new Float64Array(boxes.length * 3);
  const counts = new Float64Array(boxes.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const index = boxOf.get(coarsen((rgb[i]! << 16) | (rgb[i + 1]! << 8) | rgb[i + 2]!, scale))!;
    for (let c = 0; c < 3; c++) sums[index * 3 + c] = sums[index * 3 + c]! + rgb[i + c]!;
    counts[index] = counts[index]! + 1;
  }
  const palette = new Uint8Array(boxes.length * 3);
  for (let i = 0; i < boxes.length; i++)
    for (let c = 0; c < 3; c++) palette[i * 3 + c] = Math.floor(0.5 + sums[i * 3 + c]! / counts[i]!);
  return palette;
}
