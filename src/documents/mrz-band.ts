import type { Raster } from '../biometrics/raster.js';

/**
 * Finding the machine-readable zone on a photo or scan of a document. Pure, over a grey raster.
 *
 * An MRZ is two or three long lines of evenly spaced, equally high characters, parallel and left-aligned,
 * in the lower part of the page. Ink is marked against the local mean (so uneven light does not matter),
 * characters are smeared together horizontally so that each printed line becomes one bar, and the bars are
 * measured by their second moments: direction, length and thickness. The MRZ is the lowest group of 2–3
 * long, parallel, equally thick bars of about the same length with regular spacing. Each line keeps its
 * own direction, so a slight rotation or perspective is followed line by line.
 */
export interface TextLine {
  /** Centre, in pixels of the analysed raster. */
  readonly cx: number;
  readonly cy: number;
  /** Direction of the line, radians, clockwise from the x axis (image y points down). */
  readonly angle: number;
  /** Extent along the line and across it (about the character height). */
  readonly length: number;
  readonly thickness: number;
}

export interface LineGroup {
  readonly lines: readonly TextLine[];
  readonly score: number;
}

/** Ink is darker than this fraction of the local mean brightness. */
const INK_RATIO = 0.78;
/** A bar at least this many times longer than thick is a line of text. */
const MIN_ELONGATION = 12;

export function findLineGroups(grey: Raster): LineGroup[] {
  const { width, height } = grey;
  const window = Math.max(9, Math.round(Math.min(width, height) / 25) | 1);
  const ink = inkMask(grey, window);
  const gap = Math.max(3, Math.round(width / 40));
  smearRows(ink, width, height, gap);
  const lines = bars(ink, width, height).filter(
    (b) => b.length >= MIN_ELONGATION * b.thickness && b.length >= width / 5 && b.thickness >= 3,
  );
  return groups(lines).sort((a, b) => b.score - a.score);
}

/** 1 where a pixel is darker than `INK_RATIO` of the mean over a `window`-wide square around it. */
function inkMask(grey: Raster, window: number): Uint8Array {
  const { width: w, height: h, data } = grey;
  const integral = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += data[y * w + x]!;
      integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1]! + row;
    }
  }
  const r = window >> 1;
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const sum =
        integral[y1 * (w + 1) + x1]! -
        integral[y0 * (w + 1) + x1]! -
        integral[y1 * (w + 1) + x0]! +
        integral[y0 * (w + 1) + x0]!;
      const mean = sum / ((x1 - x0) * (y1 - y0));
      mask[y * w + x] = data[y * w + x]! < INK_RATIO * mean ? 1 : 0;
    }
  }
  return mask;
}

/** Fills horizontal gaps of at most `gap` pixels between ink, joining a line's characters into one bar. */
function smearRows(mask: Uint8Array, w: number, h: number, gap: number): void {
  for (let y = 0; y < h; y++) {
    let last = -1;
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      if (last >= 0 && x - last > 1 && x - last <= gap + 1) mask.fill(1, y * w + last + 1, y * w + x);
      last = x;
    }
  }
}

/** Connected components (8-neighbourhood) of the mask, each measured by its second moments. */
function bars(mask: Uint8Array, w: number, h: number): TextLine[] {
  const label = new Int32Array(w * h);
  const stack: number[] = [];
  const out: TextLine[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || label[start]) continue;
    next++;
    label[start] = next;
    stack.push(start);
    const pts: number[] = [];
    let sx = 0,
      sy = 0;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      pts.push(p);
      sx += x;
      sy += y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (mask[q] && !label[q]) {
            label[q] = next;
            stack.push(q);
          }
        }
      }
    }
    if (pts.length < 50) continue;
    out.push(measure(pts, w, sx / pts.length, sy / pts.length));
  }
  return out;
}

function measure(pts: number[], w: number, cx: number, cy: number): TextLine {
  let xx = 0,
    yy = 0,
    xy = 0;
  for (const p of pts) {
    const dx = (p % w) - cx;
    const dy = Math.floor(p / w) - cy;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  const angle = 0.5 * Math.atan2(2 * xy, xx - yy);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  let lo = Infinity,
    hi = -Infinity;
  for (const p of pts) {
    const t = ((p % w) - cx) * c + (Math.floor(p / w) - cy) * s;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const length = hi - lo + 1;
  const mid = (lo + hi) / 2;
  return { cx: cx + mid * c, cy: cy + mid * s, angle, length, thickness: pts.length / length };
}

/** Along-line and across-line offsets of `b`'s centre from `a`'s, in `a`'s frame. */
function offset(a: TextLine, b: TextLine): { along: number; across: number } {
  const [c, s] = [Math.cos(a.angle), Math.sin(a.angle)];
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  return { along: dx * c + dy * s, across: -dx * s + dy * c };
}

/** Whether `b` is the next MRZ line below `a`: parallel, as long, as thick, one line pitch down, aligned. */
function follows(a: TextLine, b: TextLine): boolean {
  const { along, across } = offset(a, b);
  const t = (a.thickness + b.thickness) / 2;
  return (
    Math.abs(a.angle - b.angle) < 0.05 &&
    Math.abs(a.length - b.length) < 0.12 * Math.max(a.length, b.length) &&
    Math.abs(a.thickness - b.thickness) < 0.45 * t &&
    across > 1.3 * t &&
    across < 3.6 * t &&
    Math.abs(along) < 0.08 * a.length
  );
}

/** Chains of 2–3 lines, each following the one above; a line belongs to the first chain that takes it. */
function groups(lines: TextLine[]): LineGroup[] {
  const byY = [...lines].sort((a, b) => a.cy - b.cy);
  const used = new Set<TextLine>();
  const out: LineGroup[] = [];
  const bottom = Math.max(1, ...byY.map((l) => l.cy));
  for (const first of byY) {
    if (used.has(first)) continue;
    const chain = [first];
    for (const next of byY) {
      if (chain.length === 3) break;
      if (follows(chain[chain.length - 1]!, next)) chain.push(next);
    }
    if (chain.length < 2) continue;
    for (const l of chain) used.add(l);
    // Longer lines and more of them score higher; lower on the page breaks near-ties (the MRZ is at the bottom).
    const lowest = Math.max(...chain.map((l) => l.cy));
    const score = chain.reduce((s, l) => s + l.length, 0) * (1 + 0.1 * (lowest / bottom));
    out.push({ lines: chain, score });
  }
  return out;
}
