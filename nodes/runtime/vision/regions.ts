/** Region operations on binary maps. Pure. */

/** Connected components (4-connectivity) of a binary map: a label per pixel (0 = none) and the count. */
export function labelRegions(binary: Uint8Array, width: number, height: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(width * height);
  let count = 0;
  const stack: number[] = [];
  for (let start = 0; start < binary.length; start++) {
    if (!binary[start] || labels[start]) continue;
    count += 1;
    labels[start] = count;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      for (const [nx, ny] of [
        [x + 1, y],
        [x - 1, y],
        [x, y + 1],
        [x, y - 1],
      ] as const) {
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const q = ny * width + nx;
        if (binary[q] && !labels[q]) {
          labels[q] = count;
          stack.push(q);
        }
      }
    }
  }
  return { labels, count };
}

/**
 * DB's unclip: each region grows by a distance D = area × ratio / perimeter (PaddleOCR's expansion of the shrunk
 * text cores it detects back to whole text boxes), here by a Chebyshev distance transform from the region.
 */
export function unclipRegions(binary: Uint8Array, width: number, height: number, ratio: number): Uint8Array {
  const { labels, count } = labelRegions(binary, width, height);
  if (count === 0 || ratio <= 0) return binary;
  const area = new Float64Array(count + 1);
  const perimeter = new Float64Array(count + 1);
  for (let p = 0; p < labels.length; p++) {
    const label = labels[p]!;
    if (!label) continue;
    area[label]! += 1;
    const x = p % width;
    const y = (p - x) / width;
    for (const [nx, ny] of [
      [x + 1, y],
      [x - 1, y],
      [x, y + 1],
      [x, y - 1],
    ] as const) {
      if (nx < 0 || ny < 0 || nx >= width || ny >= height || labels[ny * width + nx] !== label) perimeter[label]! += 1;
    }
  }
  const out = new Uint8Array(binary.length);
  // Multi-source BFS per pass: each pixel takes the nearest region's distance; a region reaches D of its own.
  const distance = new Float64Array(binary.length).fill(Number.POSITIVE_INFINITY);
  const owner = new Int32Array(binary.length);
  const queue: number[] = [];
  for (let p = 0; p < labels.length; p++) {
    if (labels[p]) {
      distance[p] = 0;
      owner[p] = labels[p]!;
      queue.push(p);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const p = queue[head]!;
    const label = owner[p]!;
    const reach = (area[label]! * ratio) / Math.max(1, perimeter[label]!);
    out[p] = 1;
    if (distance[p]! + 1 > reach) continue;
    const x = p % width;
    const y = (p - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if ((dx === 0 && dy === 0) || nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const q = ny * width + nx;
        if (distance[q]! > distance[p]! + 1) {
          distance[q] = distance[p]! + 1;
          owner[q] = label;
          queue.push(q);
        }
      }
    }
  }
  return out;
}
