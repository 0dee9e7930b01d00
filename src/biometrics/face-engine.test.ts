import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DATASETS_AVAILABLE, facePath, readFace, readSpoof } from '../../test/datasets.js';
import { sidewaysWithExif } from '../../test/images.js';
import { startTestEngine } from '../../test/engine.js';
import type { FaceEngine } from './face-engine.js';

let engine: FaceEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(() => engine.close());

const report = { enforceQuality: false, requireLiveness: false };

describe('face engine on real faces', () => {
  it('matches the same person and separates different people at the configured threshold', async () => {
    // Three identities of the small set, every image: all genuine pairs match, all impostor pairs do not.
    const ids = ['bernadette', 'deepface1', 'howard'];
    const people = await Promise.all(
      ids.map(async (id) => {
        const files = readdirSync(facePath('small', id)).sort();
        return Promise.all(
          files.map(async (f) => (await engine.capture(await readFile(facePath('small', id, f)), report)).template),
        );
      }),
    );
    let genuine = 0,
      impostor = 0;
    for (let p = 0; p < people.length; p++) {
      for (let q = p; q < people.length; q++) {
        for (const [i, a] of people[p]!.entries()) {
          for (const [j, b] of people[q]!.entries()) {
            if (p === q && j <= i) continue;
            const c = engine.compare(a, b);
            expect(c.match, `${ids[p]}#${i} vs ${ids[q]}#${j} scored ${c.score}`).toBe(p === q);
            if (p === q) genuine++;
            else impostor++;
          }
        }
      }
    }
    expect(genuine).toBeGreaterThanOrEqual(20);
    expect(impostor).toBeGreaterThanOrEqual(40);
  });

  it('returns a unit-length 512-d template tagged with its model pack', async () => {
    const c = await engine.capture(await readFace('small', 'deepface5', 'img1.jpg'), report);
    expect(c.template.vector).toHaveLength(512);
    expect(Math.hypot(...c.template.vector)).toBeCloseTo(1, 4);
    expect(c.template.modelPack).toBe('faceplugin-fr512@2');
  });

  it('puts the landmarks on the face in anatomical order', async () => {
    const a = await engine.analyse(await readFace('small', 'deepface6', 'img13.jpg'));
    const f = a.faces[0]!;
    const [leftEye, rightEye, nose, mouthLeft, mouthRight] = f.landmarks as [number, number][];
    for (const [x, y] of f.landmarks) {
      expect(x).toBeGreaterThanOrEqual(f.box.x1);
      expect(x).toBeLessThanOrEqual(f.box.x2);
      expect(y).toBeGreaterThanOrEqual(f.box.y1);
      expect(y).toBeLessThanOrEqual(f.box.y2);
    }
    expect(leftEye![0]).toBeLessThan(rightEye![0]);
    expect(mouthLeft![0]).toBeLessThan(mouthRight![0]);
    expect(nose![1]).toBeGreaterThan(Math.max(leftEye![1], rightEye![1]));
    expect(nose![1]).toBeLessThan(Math.min(mouthLeft![1], mouthRight![1]));
    // The photo is centred on the face: the face box covers the image centre.
    expect(f.box.x1).toBeLessThan(a.width / 2);
    expect(f.box.x2).toBeGreaterThan(a.width / 2);
  });

  it('reports every stage timing and the time spent in the models', async () => {
    const a = await engine.analyse(await readFace('small', 'deepface5', 'img2.jpg'));
    for (const stage of ['decode', 'detect', 'landmarks', 'align', 'embed', 'liveness', 'quality'] as const) {
      expect(a.timings[stage]).toBeGreaterThan(0);
    }
    expect(a.timings.inference).toBeGreaterThan(0);
    expect(a.timings.inference).toBeLessThan(a.timings.total);
  });

  it('keeps the event loop free while images are analysed', async () => {
    const image = await readFace('small', 'deepface5', 'img4.jpg');
    let settled = false;
    const pending = engine.analyse(image).then((a) => {
      settled = true;
      return a;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect((await pending).faces.length).toBeGreaterThanOrEqual(1);
  });

  it('analyses many images concurrently through the pool with the same results as one at a time', async () => {
    // Eight real photos of one person.
    const files = readdirSync(facePath('small', 'amy')).sort().slice(0, 8);
    expect(files).toHaveLength(8);
    const images = await Promise.all(files.map((f) => readFace('small', 'amy', f)));
    const together = await Promise.all(images.map((img) => engine.capture(img, report)));
    const alone = await engine.capture(images[5]!, report);
    expect(engine.compare(together[5]!.template, alone.template).score).toBeCloseTo(1, 5);
    for (const c of together.slice(1)) expect(engine.compare(together[0]!.template, c.template).match).toBe(true);
  });
});

describe('EXIF orientation', () => {
  it('finds the same face in a sideways JPEG with an orientation flag as in the upright original', async () => {
    const upright = await readFace('small', 'deepface6', 'img14.jpg');
    const sideways = await sidewaysWithExif(upright);
    const [a, b] = await Promise.all([engine.capture(upright, report), engine.capture(sideways, report)]);
    expect(engine.compare(a.template, b.template).score).toBeGreaterThan(0.9);
    expect(b.face.box.x1).toBeCloseTo(a.face.box.x1, -1);
  });

  it.runIf(DATASETS_AVAILABLE)('reads the phone photo stored sideways (silentface) like its upright copy', async () => {
    const [a, b] = await Promise.all([
      engine.capture(await readSpoof('real', 'silentface', 'image_T1.jpg'), report),
      engine.capture(await readSpoof('real', 'silentface', 'image_T1_upright.jpg'), report),
    ]);
    expect(engine.compare(a.template, b.template).score).toBeGreaterThan(0.9);
  });
});
