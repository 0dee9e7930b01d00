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

  it('sends one-time codes to the outbox files unless a gateway is set; eGov login takes all four settings', () => {
    const dev = loadConfig({ OBLIK_DATA_DIR: '/srv/oblik' });
    expect(dev.messages).toEqual({ outboxDir: '/srv/oblik/outbox' });
    expect(dev.egovLogin).toBeUndefined();
    expect(loadConfig({ OBLIK_MESSAGE_WEBHOOK_URL: 'https://sms.example/send' }).messages.webhookUrl).toBe(
      'https://sms.example/send',
    );
    const egov = {
      OBLIK_EGOV_OIDC_ISSUER: 'https://idp.egov.example',
      OBLIK_EGOV_OIDC_CLIENT_ID: 'oblik',
      OBLIK_EGOV_OIDC_CLIENT_SECRET: 'secret',
      OBLIK_EGOV_OIDC_REDIRECT_URI: 'https://oblik.example/v1/citizen/egov/callback',
    };
    expect(loadConfig(egov).egovLogin).toMatchObject({ issuer: 'https://idp.egov.example', clientId: 'oblik' });
    expect(() => loadConfig({ OBLIK_EGOV_OIDC_ISSUER: 'https://idp.egov.example' })).toThrow(ConfigError);
  });

  it('configures the OCR pool of identity documents, within bounds', () => {
    expect(loadConfig({}).documents.ocr).toEqual({ workers: 1, timeoutMs: 15_000, maxQueue: 64 });
    expect(loadConfig({ OBLIK_OCR_WORKERS: '2', OBLIK_OCR_TIMEOUT_MS: '5000' }).documents.ocr).toMatchObject({
      workers: 2,
      timeoutMs: 5000,
    });
    expect(() => loadConfig({ OBLIK_OCR_WORKERS: '0', OBLIK_OCR_TIMEOUT_MS: '10' })).toThrow(
      /OBLIK_OCR_WORKERS[\s\S]*OBLIK_OCR_TIMEOUT_MS/,
    );
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ OBLIK_ENGINE_THREADS: 'many', OBLIK_LIVENESS_THRESHOLD: '7' })).toThrow(
      /OBLIK_ENGINE_THREADS[\s\S]*OBLIK_LIVENESS_THRESHOLD/,
    );
    expect(() => loadConfig({ OBLIK_QUALITY_MIN_BRIGHTNESS: '200', OBLIK_QUALITY_MAX_BRIGHTNESS: '100' })).toThrow(
      ConfigError,
    );
  });

  it('defaults to the embedded store under the data directory, and switches to PostgreSQL on DATABASE_URL', () => {
    const embedded = loadConfig({ OBLIK_DATA_DIR: '/srv/oblik' });
    expect(embedded.database).toEqual({ dialect: 'sqlite', file: '/srv/oblik/oblik.sqlite' });
    expect(embedded.keys.keyFile).toBe('/srv/oblik/master.key');
    expect(embedded.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    const pg = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/oblik', PORT: '9000' });
    expect(pg.database).toMatchObject({ dialect: 'postgres', url: 'postgres://u@db:5432/oblik' });
    expect(pg.server.port).toBe(9000);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('parses configured segments and refuses bad ids', () => {
    expect(loadConfig({ OBLIK_SEGMENTS: 'moscow:Moscow, kazan' }).registry.segments).toEqual([
      { id: 'moscow', name: 'Moscow' },
      { id: 'kazan', name: 'kazan' },
    ]);
    expect(() => loadConfig({ OBLIK_SEGMENTS: 'Moscow City:x' })).toThrow(ConfigError);
    expect(() => loadConfig({ OBLIK_BOOTSTRAP_ADMIN_KEY: 'short' })).toThrow(/OBLIK_BOOTSTRAP_ADMIN_KEY/);
    expect(loadConfig({ OBLIK_REQUIRE_LIVENESS: 'true' }).registry.requireLiveness).toBe(true);
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c.engine.quality)).toBe(true);
    expect(() => {
      (c.engine as { threads: number }).threads = 99;
    }).toThrow(TypeError);
  });
});
