import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, client, livePhoto, newOperator, newRelyingParty } from '../registry.js';
import { testDialects } from '../stores.js';
import { launchBrowser, screenshot, seriousAxeViolations, type Browser } from './browser.js';
import { startPageServer, type PageServer } from './page-server.js';

const dialects = await testDialects();

describe('the operator console in Chromium', () => {
  let engine: FaceEngine;
  let browser: Browser;
  beforeAll(async () => {
    engine = await startTestEngine({ OBLIK_ENGINE_THREADS: '1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.close();
  });

  describe.each(dialects)('on %s', (dialect) => {
    let server: PageServer;
    beforeAll(async () => {
      server = await startPageServer(dialect, engine);
    });
    afterAll(() => server?.close());

    it('an operator resolves an adjudication: the same face enrolled twice, decided side by side without images', async () => {
      const api = client(server.registry.app);
      const desk = await newRelyingParty(server.registry.app, { rights: ['enrol'] });
      const first = await api(desk)('POST', '/v1/persons', {
        segment: 'moscow',
        channel: 'bank_branch',
        consents: [],
        image: await livePhoto('anna', 0),
      });
      expect(first.status).toBe(201);
      const second = await api(desk)('POST', '/v1/persons', {
        segment: 'moscow',
        channel: 'kiosk',
        consents: [],
        image: await livePhoto('anna', 1),
      });
      expect(second.body.code).toBe('enrolment.duplicate');
      const operator = await newOperator(server.registry.app, ['moscow']);

      const page = await browser.newPage();
      await page.goto(`${server.url}/console/`);
      await page.getByRole('heading', { name: 'Operator console' }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, `console-sign-in-${dialect}`);
      // A relying party's key does not open the console.
      await page.getByLabel('API key').fill(desk);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This console needs an administrator or operator key.').waitFor();

      await page.getByLabel('API key').fill(operator);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Adjudication queue' }).waitFor();
      expect(page.url()).not.toContain(operator);
      // An operator sees no administrator sections.
      expect(await page.getByRole('link', { name: 'Relying parties' }).count()).toBe(0);

      const queue = page.getByRole('table', { name: 'Cases: 1' });
      await queue.waitFor();
      expect(await queue.getByRole('cell', { name: 'kiosk' }).count()).toBe(1);
      await page.getByRole('button', { name: /^Review case/ }).click();
      const review = page.getByRole('article');
      await review.getByText('Refused capture').waitFor();
      expect(await review.locator('img, canvas, video').count()).toBe(0);
      const score = Number(
        await review
          .getByLabel('Score')
          .innerText()
          .then((t) => t.split('\n')[0]),
      );
      expect(score).toBeGreaterThan(0.3);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, `console-adjudication-${dialect}`);

      await review.getByLabel('same person').check();
      await review.getByLabel('Note (documents checked, reasons)').fill('Passport checked: the same holder');
      await review.getByRole('button', { name: 'Record the decision' }).click();
      await review.getByText('Resolved: same person.', { exact: false }).waitFor();

      // The registry recorded it: the case is resolved by this operator, with the note.
      const cases = await api(ADMIN_KEY)('GET', '/v1/adjudications?status=same_person');
      expect(cases.body.adjudications).toHaveLength(1);
      expect(cases.body.adjudications[0]).toMatchObject({ note: 'Passport checked: the same holder' });
      expect(cases.body.adjudications[0].resolvedBy).toMatch(/^op_/);
      await page.getByLabel('Status').selectOption('open');
      await page.getByText('No cases.').waitFor();
      expect(browser.problems).toEqual([]);
      await page.close();
    });

    it('an administrator registers a relying party (its key shown once and working) and reads live metrics, in Russian after a switch that lasts', async () => {
      const page = await browser.newPage();
      await page.goto(`${server.url}/console/`);
      await page.getByLabel('API key').fill(ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Relying parties' }).click();
      await page.getByRole('heading', { name: 'Register a relying party' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Metro of Kazan');
      await page.getByLabel('Kazan (kazan)').check();
      await page.getByLabel('Purposes').fill('transit_fare, parking');
      await page.getByRole('button', { name: 'Register and issue a key' }).click();
      const key = (await page.getByTestId('secret').innerText()).trim();
      const self = await client(server.registry.app)(key)('GET', '/v1/me');
      expect(self.body).toMatchObject({
        role: 'relying_party',
        name: 'Metro of Kazan',
        segments: ['kazan'],
        purposes: ['transit_fare', 'parking'],
        rights: ['enrol', 'verify'],
      });
      await page.getByRole('cell', { name: 'Metro of Kazan' }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Русский' }).click();
      await page.reload();
      await page.getByRole('link', { name: 'Метрики' }).click();
      await page.getByRole('heading', { name: 'Метрики' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('ru');
      await expect.poll(async () => Number(await page.getByTestId('metric-requests').innerText())).toBeGreaterThan(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, `console-metrics-ru-${dialect}`);
      await page.getByRole('link', { name: 'Сегменты' }).click();
      await page.getByRole('button', { name: 'Управление: Moscow' }).click();
      await page.getByLabel('Возраст согласия').waitFor();
      await screenshot(page, `console-segments-ru-${dialect}`);
      expect(browser.problems).toEqual([]);
      await page.evaluate("localStorage.removeItem('oblik.language')");
      await page.close();
    });
  });
});
