import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFace } from '../../test/datasets.js';
import { startTestEngine } from '../../test/engine.js';
import type { AppError } from '../errors/app-error.js';
import { loadConfig } from '../config/config.js';
import { FaceEngine } from './face-engine.js';

/** Back-pressure: a saturated engine refuses work at once with a retryable 503 instead of queueing forever. */
let engine: FaceEngine;
beforeAll(async () => {
  engine = await startTestEngine({ OBLIK_ENGINE_THREADS: '1', OBLIK_ENGINE_MAX_QUEUE: '1' });
});
afterAll(() => engine.close());

describe('engine back-pressure', () => {
  it('refuses tasks beyond its queue with engine.unavailable and still serves the rest', async () => {
    const image = await readFace('small', 'deepface5', 'img1.jpg');
    // Submitted in one tick: one runs, one waits, the other three find the engine saturated.
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => engine.analyse(image)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    for (const r of refused) {
      expect(r.reason).toMatchObject({ code: 'engine.unavailable', status: 503, data: { reason: 'queue_full' } });
    }
    // Once drained, the engine works normally.
    expect((await engine.analyse(image)).faces.length).toBeGreaterThanOrEqual(1);
  });

  it('abandons a task that runs past its deadline with a retryable engine.unavailable', async () => {
    const base = loadConfig({ OBLIK_ENGINE_THREADS: '1' }).engine;
    // A deadline of 1 ms, below what configuration allows: no face analysis (tens of milliseconds of
    // inference alone) can meet it.
    const strict = await FaceEngine.start({ ...base, taskTimeoutMs: 1 });
    try {
      const image = await readFace('small', 'deepface5', 'img1.jpg');
      const e = (await strict.analyse(image).catch((err: unknown) => err)) as AppError;
      expect(e).toMatchObject({ code: 'engine.unavailable', status: 503, data: { reason: 'timeout' } });
    } finally {
      await strict.close();
    }
  });
});
