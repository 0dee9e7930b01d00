import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * The browser-test harness: Debian's Chromium driven by playwright-core, a fresh profile per browser, the
 * fake camera fed from a .y4m clip (see camera-clips.ts), the strict CSP the server will send enforced on
 * every page, axe-core checks and screenshots into test-artifacts/. One browser per test file: launch it in
 * beforeAll, reuse its pages, close it in afterAll.
 */
export const CHROMIUM = process.env['OBLIK_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts', import.meta.url));
/** The policy pages must work under (the server's own CSP will say the same). */
export const STRICT_CSP = "default-src 'self'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

// Without the background-networking flags Chromium tries to reach Google's hosts, which this network refuses.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab with problem collection on (console errors, page errors, CSP violations). */
  newPage(): Promise<Page>;
  /** Everything that went wrong in any tab so far; a test expects it empty. */
  readonly problems: string[];
  close(): Promise<void>;
}

export interface BrowserOptions {
  /** A .y4m clip for the fake camera; without one Chromium shows its own test pattern. */
  readonly camera?: string;
  /** `Accept-Language` and navigator.languages (default en-GB). */
  readonly locale?: string;
  /** Enforce STRICT_CSP on every document (default true). */
  readonly csp?: boolean;
}

/**
 * Starts Chromium with a temporary profile. The camera is granted (the fake UI accepts the prompt) and fed
 * from `options.camera`.
 * @example
 * const browser = await launchBrowser({ camera: await stillFaceClip(facePath('small', 'deepface5', 'img1.jpg')) });
 * const page = await browser.newPage();
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'oblik-chromium-'));
  const args = [...FLAGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
  if (options.camera) args.push(`--use-file-for-fake-video-capture=${options.camera}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    locale: options.locale ?? 'en-GB',
    viewport: { width: 1280, height: 860 },
  });
  const problems: string[] = [];
  if (options.csp ?? true) {
    await context.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
    });
  }
  // The persistent context opens with one blank tab; it is closed so that every page comes from newPage().
  for (const page of context.pages()) await page.close();
  return {
    context,
    problems,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page PNG under test-artifacts/screenshots/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE_SOURCE = readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.x A/AA rules) on the page as it is now and returns the violations of serious or
 * critical impact. axe is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
    // Runs in the page, where `document` exists (this file is type-checked without the DOM library).
    const result = (await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })) as {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
