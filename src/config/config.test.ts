import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c.engine).toMatchObject({ livenessThreshold: 0.5, maxFaces: 20 });
    expect(c.engine.matchThreshold).toBeGreaterThan(0);
    expect(c.engine.detector).toEqual({ scoreThreshold: 0.65, nmsIou: 0.3 });
    expect(c.engine.threads).toBeGreaterThanOrEqual(1);
  });

  it('reads overrides from the environment', () => {
    const c = loadConfig({ OBLIK_MATCH_THRESHOLD: '0.5', OBLIK_ENGINE_THREADS: '3', OBLIK_QUALITY_MAX_YAW_DEG: '20' });
    expect(c.engine.matchThreshold).toBe(0.5);
    expect(c.engine.threads).toBe(3);
    expect(c.engine.quality.maxYawDeg).toBe(20);
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ OBLIK_ENGINE_THREADS: 'many', OBLIK_LIVENESS_THRESHOLD: '7' })).toThrow(
      /OBLIK_ENGINE_THREADS[\s\S]*OBLIK_LIVENESS_THRESHOLD/,
    );
    expect(() => loadConfig({ OBLIK_QUALITY_MIN_BRIGHTNESS: '200', OBLIK_QUALITY_MAX_BRIGHTNESS: '100' })).toThrow(
      ConfigError,
    );
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c.engine.quality)).toBe(true);
    expect(() => {
      (c.engine as { threads: number }).threads = 99;
    }).toThrow(TypeError);
  });
});
