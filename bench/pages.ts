/**
 * Page weight and time to first render (`npm run bench:pages`): each page built by `npm run build:pages`,
 * served by the real server, loaded cold (cache disabled) in Debian's Chromium over loopback and over a
 * throttled "slow 4G" link (150 ms RTT, 1.6 Mbit/s down, as Lighthouse's mobile profile; CPU not throttled).
 * Prints bytes on the wire per page (HTML + JS + CSS, brotli as Chromium asks) beside the raw and gzip sizes
 * of the same files, and first contentful paint (the Performance API's paint entry: the first text the page's
 * script renders, since the HTML body is empty until then), median of RUNS loads.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PAGES_DIR } from '../src/http/pages.js';
import { startTestEngine } from '../test/engine.js';
import { launchBrowser } from '../test/pages/browser.js';
import { startPageServer } from '../test/pages/page-server.js';

const RUNS = Number(process.env['RUNS'] ?? 7);
const PAGES = ['console/', 'kiosk/enrol'];
const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8) * 0.9,
  uploadThroughput: (750e3 / 8) * 0.9,
};

interface Load {
  readonly bytes: number;
  readonly requests: number;
  readonly fcp: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** The files a page loads (its HTML and every asset it names), and their raw, gzip and brotli sizes. */
function files(page: string): { raw: number; gz: number; br: number } {
  const html = join(PAGES_DIR, page.replace(/\/$/, ''), 'index.html');
  const assets = [...readFileSync(html, 'utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) =>
    join(PAGES_DIR, m[1]!),
  );
  const size = (f: string) => statSync(f).size;
  const sized = (f: string, ext: string) => {
    try {
      return size(f + ext);
    } catch {
      return size(f);
    }
  };
  const all = [html, ...assets];
  return {
    raw: all.reduce((s, f) => s + size(f), 0),
    gz: all.reduce((s, f) => s + sized(f, '.gz'), 0),
    br: all.reduce((s, f) => s + sized(f, '.br'), 0),
  };
}

const engine = await startTestEngine({ OBLIK_ENGINE_THREADS: '1' });
const server = await startPageServer('sqlite', engine);
const browser = await launchBrowser({ csp: false });
try {
  const load = async (url: string, throttle: boolean): Promise<Load> => {
    const page = await browser.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (throttle) await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
      requests++;
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.getByRole('heading').first().waitFor();
    const fcp = await page.evaluate<number>(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
    );
    await page.close();
    return { bytes, requests, fcp };
  };

  console.log(`Pages: ${RUNS} cold loads each, median; bytes on the wire include HTTP headers.\n`);
  console.log(
    'page          | files raw | gzip      | brotli    | on the wire | requests | FCP loopback | FCP slow 4G',
  );
  console.log(
    '------------- | --------- | --------- | --------- | ----------- | -------- | ------------ | -----------',
  );
  // The browser's own floor: a heading in a static document with no network and no script.
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) floor.push((await load('data:text/html,<h1>Oblik</h1>', false)).fcp);
  console.log(
    `${'static <h1>'.padEnd(13)} | ${'—'.padEnd(9)} | ${'—'.padEnd(9)} | ${'—'.padEnd(9)} | ${'—'.padEnd(11)} | ${'0'.padEnd(8)} | ${`${median(floor).toFixed(0)} ms`.padEnd(12)} | —`,
  );
  for (const page of PAGES) {
    const url = `${server.url}/${page}`;
    await load(url, false); // warm the server's file cache and Chromium's process
    const fast: Load[] = [];
    const slow: Load[] = [];
    for (let i = 0; i < RUNS; i++) fast.push(await load(url, false));
    for (let i = 0; i < RUNS; i++) slow.push(await load(url, true));
    const f = files(page);
    console.log(
      [
        `/${page}`.padEnd(13),
        kb(f.raw).padEnd(9),
        kb(f.gz).padEnd(9),
        kb(f.br).padEnd(9),
        kb(median(fast.map((l) => l.bytes))).padEnd(11),
        String(median(fast.map((l) => l.requests))).padEnd(8),
        `${median(fast.map((l) => l.fcp)).toFixed(0)} ms`.padEnd(12),
        `${median(slow.map((l) => l.fcp)).toFixed(0)} ms`,
      ].join(' | '),
    );
  }
} finally {
  await browser.close();
  await server.close();
  await engine.close();
}
