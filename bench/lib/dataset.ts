import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A face dataset laid out as one folder per identity. */
export interface LabelledImage {
  readonly identity: string;
  readonly path: string;
}

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** Lists the images of DIR/<identity>/*, sorted; `limit` caps the number of identities. */
export function listDataset(dir: string, limit = Number.POSITIVE_INFINITY): LabelledImage[] {
  const ids = readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort()
    .slice(0, limit);
  return ids.flatMap((identity) =>
    readdirSync(join(dir, identity))
      .filter((f) => IMAGE.test(f))
      .sort()
      .map((f) => ({ identity, path: join(dir, identity, f) })),
  );
}

export interface PairsFile {
  readonly pairs: { fold: number; same: boolean; a: string; b: string }[];
}

/**
 * Parses an LFW `pairs.txt`: a header "folds n", then per fold n matched lines "name i j" and n mismatched
 * lines "name1 i name2 j". Paths resolve to DIR/name/name_NNNN.jpg.
 */
export function parsePairs(text: string, dir: string): PairsFile {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const [folds, perFold] = lines[0]!.split(/\s+/).map(Number) as [number, number];
  const image = (name: string, n: string) => join(dir, name, `${name}_${n.padStart(4, '0')}.jpg`);
  const pairs: PairsFile['pairs'] = [];
  let at = 1;
  for (let fold = 0; fold < folds; fold++) {
    for (let k = 0; k < 2 * perFold; k++, at++) {
      const f = lines[at]?.split(/\s+/);
      if (!f) throw new Error(`pairs file ends early at line ${at + 1}`);
      if (f.length === 3) pairs.push({ fold, same: true, a: image(f[0]!, f[1]!), b: image(f[0]!, f[2]!) });
      else if (f.length === 4) pairs.push({ fold, same: false, a: image(f[0]!, f[1]!), b: image(f[2]!, f[3]!) });
      else throw new Error(`pairs file line ${at + 1} is malformed`);
    }
  }
  return { pairs };
}
