import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import type { AnalysedFace } from '../../src/biometrics/pipeline.js';
import { readFace, readScreenReplay } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { samplePath } from './photo-recipe.js';
import { SMALL_SET } from './small-set.js';

/**
 * What every suite assumes of the bundled test people, checked on the real engine: each photo holds one
 * usable, live face; a person's photos match one another; different people do not come near the threshold.
 * If a model pack or a recipe change breaks one of these, this says which photo, before the suites fail
 * for reasons that look like registry bugs.
 */
let engine: FaceEngine;
const faces = new Map<string, AnalysedFace>();

beforeAll(async () => {
  engine = await startTestEngine();
  for (const [who, photos] of Object.entries(SMALL_SET)) {
    for (const file of Object.keys(photos)) {
      const analysis = await engine.analyse(await readFace('small', who, file), { dominantOnly: true });
      expect([`${who}/${file}`, analysis.faceCount, analysis.rivalCount]).toEqual([`${who}/${file}`, 1, 0]);
      faces.set(`${who}/${file}`, analysis.faces[0]!);
    }
  }
});
afterAll(() => engine?.close());

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('the bundled test people', () => {
  it('come from the sample images installed with @vladmandic/human', () => {
    for (const image of ['facematch', 'facedetect', 'faceid'] as const)
      expect(existsSync(samplePath(image))).toBe(true);
    expect(Object.keys(SMALL_SET).length).toBeGreaterThanOrEqual(17);
  });

  it('every photo is an acceptable, live face with the surroundings a liveness check needs', () => {
    for (const [name, face] of faces) {
      expect([name, face.quality.reasons]).toEqual([name, []]);
      expect([name, face.liveness >= 0.8, face.livenessContext >= 2]).toEqual([name, true, true]);
    }
  });

  it("a person's photos all match one another, well above the 1:1 threshold", () => {
    let pairs = 0;
    const weak: string[] = [];
    for (const [who, photos] of Object.entries(SMALL_SET)) {
      const own = Object.keys(photos).map((f) => faces.get(`${who}/${f}`)!.template);
      for (let i = 0; i < own.length; i++) {
        for (let j = i + 1; j < own.length; j++) {
          const score = dot(own[i]!, own[j]!);
          // Against the first (enrolment) photo with a margin; between any two at least the threshold.
          if (score < (i === 0 ? 0.5 : engine.settings.matchThreshold)) weak.push(`${who} ${i + 1}~${j + 1}: ${score}`);
          pairs++;
        }
      }
    }
    expect(weak).toEqual([]);
    expect(pairs).toBeGreaterThan(60);
  });

  it('different people stay far below the threshold (no false duplicates as galleries grow)', () => {
    const all = [...faces.entries()];
    let worst = { score: -1, pair: '' };
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const [a, fa] = all[i]!;
        const [b, fb] = all[j]!;
        if (a.split('/')[0] === b.split('/')[0]) continue;
        const score = dot(fa.template, fb.template);
        if (score > worst.score) worst = { score, pair: `${a} ~ ${b}` };
      }
    }
    expect(worst.score, worst.pair).toBeLessThan(0.35);
  });

  it('the screen replay is a face the liveness check refuses', async () => {
    const a = await engine.analyse(await readScreenReplay(), { dominantOnly: true });
    expect([a.faceCount, a.rivalCount]).toEqual([1, 0]);
    expect(a.faces[0]!.liveness).toBeLessThan(0.1);
    expect(a.faces[0]!.livenessContext).toBeGreaterThanOrEqual(1.8);
  });
});
