import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/biometrics/face-engine.js';
import { facePath } from '../datasets.js';
import { startTestEngine } from '../engine.js';
import { ADMIN_KEY, client, registerRelyingParty } from '../registry.js';
import { testDialects } from '../stores.js';
import { launchBrowser, screenshot, seriousAxeViolations, type Browser } from './browser.js';
import { stillFaceClip } from './camera-clips.js';
import { startPageServer, type PageServer } from './page-server.js';

const dialects = await testDialects();

describe('the enrolment kiosk in Chromium', () => {
  let engine: FaceEngine;
  let browser: Browser;
  beforeAll(async () => {
    engine = await startTestEngine({ OBLIK_ENGINE_THREADS: '1' });
    // A live face of the deepface set: the photo has the surroundings the liveness check needs.
    browser = await launchBrowser({ camera: await stillFaceClip(facePath('small', 'deepface5', 'img1.jpg')) });
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

    it('guides the capture from the engine, enrols the face from the camera and prints the slip', async () => {
      const desk = await registerRelyingParty(server.registry.app, {
        name: 'City service centre',
        purposes: ['transit_fare', 'parking'],
        rights: ['enrol'],
      });
      const page = await browser.newPage();
      await page.goto(`${server.url}/kiosk/enrol`);
      await page.getByRole('heading', { name: 'Enrolment desk' }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, `kiosk-sign-in-${dialect}`);

      // A key of another role is refused with the page's own words.
      await page.getByLabel('API key').fill(ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This desk needs a relying party key with the enrol right.').waitFor();

      await page.getByLabel('API key').fill(desk.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const guidance = page.getByTestId('guidance');
      // The fake camera shows the face; the engine's quality check (POST /v1/captures/quality) says it is ready.
      await expect.poll(() => guidance.textContent(), { timeout: 30_000 }).toBe('Good. Hold still — ready to enrol.');
      expect(page.url()).not.toContain(desk.key);
      expect(await page.evaluate("sessionStorage.getItem('oblik.kiosk.key')")).toBe(desk.key);
      await page.getByLabel('transit_fare').check();
      expect(await seriousAxeViolations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Enrol' }).click();
      const citizenId = (await page.getByTestId('citizen-id').textContent())?.trim();
      expect(citizenId).toMatch(/^psn_/);
      await page.getByTestId('receipt').getByText('City service centre', { exact: false }).waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);

      // The registry holds the person, with the consent given at the desk and one template from channel kiosk.
      const record = await client(server.registry.app)(ADMIN_KEY)('GET', `/v1/persons/${citizenId}`);
      expect(record.status).toBe(200);
      expect(record.body.consents.map((c: { purpose: string }) => c.purpose)).toEqual(['transit_fare']);
      expect(record.body.templates).toHaveLength(1);
      expect(record.body.templates[0].channel).toBe('kiosk');

      // Printing: the button calls the browser's print, and the print stylesheet leaves the slip alone.
      await page.evaluate(() => {
        (globalThis as unknown as { print: () => void; printed: number }).printed = 0;
        (globalThis as unknown as { print: () => void }).print = () => {
          (globalThis as unknown as { printed: number }).printed++;
        };
      });
      await page.getByRole('button', { name: 'Print the slip' }).click();
      expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.site-header').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Next person' }).isVisible()).toBe(false);
      expect(await page.getByTestId('citizen-id').isVisible()).toBe(true);
      await screenshot(page, `kiosk-receipt-print-${dialect}`);
      const pdf = await page.pdf({ format: 'A5' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      await page.emulateMedia({ media: 'screen' });

      // The same face again: refused as a duplicate, in the reader's language, and nothing new is enrolled.
      await page.getByRole('button', { name: 'Next person' }).click();
      await page.getByRole('button', { name: 'Қазақша' }).click();
      await expect.poll(() => guidance.textContent(), { timeout: 30_000 }).toBe('Жақсы. Қозғалмаңыз — тіркеуге дайын.');
      await page.getByRole('button', { name: 'Тіркеу', exact: true }).click();
      await page.getByText('Бұл бет бұрыннан тіркелген.', { exact: false }).waitFor();
      await screenshot(page, `kiosk-duplicate-kk-${dialect}`);
      expect(browser.problems.filter((p) => !p.includes('409'))).toEqual([]);
      await page.close();
    });
  });
});
