import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { serve, type RunningServer } from '../../src/server.js';
import { ADMIN_KEY } from '../registry.js';
import { newTestStore, type TestStore } from '../stores.js';

/** Prometheus metrics are served on a port of their own (127.0.0.1 by default), never on the API's. */
describe('the metrics port', () => {
  const stores: TestStore[] = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const s of stores) await s.dispose();
  });

  const start = async (env: Record<string, string>) => {
    const store = await newTestStore('sqlite');
    stores.push(store);
    const banner: string[] = [];
    const server = await serve(
      loadConfig({
        ...store.env,
        PORT: '0',
        OBLIK_ENGINE_THREADS: '1',
        OBLIK_LOG_LEVEL: 'silent',
        OBLIK_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        ...env,
      }),
      (line) => banner.push(line),
    );
    servers.push(server);
    const api = /listening on (\S+)/.exec(banner.join('\n'))![1]!;
    return { server, api, banner: banner.join('\n') };
  };

  it('serves /metrics on OBLIK_METRICS_PORT, bound to 127.0.0.1, and not on the API port', async () => {
    const { server, api, banner } = await start({ OBLIK_METRICS_PORT: '0' });
    const metricsUrl = `${server.metricsServer!.address}/metrics`;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(banner).toContain(`metrics    ${metricsUrl}`);

    // A request through the API, so that its counters have something to show.
    expect((await fetch(`${api}/v1/segments`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
    const onApi = await fetch(`${api}/metrics`);
    expect(onApi.status).toBe(404);
    expect(await onApi.json()).toMatchObject({ code: 'request.not_found' });

    const scraped = await fetch(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const text = await scraped.text();
    expect(text).toMatch(/oblik_http_responses_total\{method="GET",route="\/v1\/segments",status="200",code=""\} 1/);
    expect(text).toContain('oblik_matcher_templates');
    expect((await fetch(`${server.metricsServer!.address}/other`)).status).toBe(404);
  });

  it('OBLIK_METRICS_PORT=off serves no metrics at all', async () => {
    const { server, api, banner } = await start({ OBLIK_METRICS_PORT: 'off' });
    expect(server.metricsServer).toBeUndefined();
    expect(banner).toContain('metrics    off');
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
  });

  it('refuses to start when the metrics port is taken, naming the setting', async () => {
    const { server } = await start({ OBLIK_METRICS_PORT: '0' });
    const taken = new URL(server.metricsServer!.address).port;
    await expect(start({ OBLIK_METRICS_PORT: taken })).rejects.toThrow(/OBLIK_METRICS_PORT/);
  });
});
