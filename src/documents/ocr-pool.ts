import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Tesseract from 'tesseract.js';
import { AppError } from '../errors/app-error.js';

/**
 * Long-lived Tesseract workers for reading MRZ text (tesseract.js runs Tesseract as WebAssembly in a worker
 * thread each). Offline by construction: the language data is read from the `@tesseract.js-data/eng` package
 * on disk and never cached elsewhere, and the core is the one inside `tesseract.js-core`.
 *
 * Tesseract's legacy engine (OEM 0) is used: it reads the OCR-B font of an MRZ better than the LSTM engine,
 * which was trained on running text. Only the `4.0.0` data of the package carries the legacy model (the
 * `4.0.0_best_int` folder is LSTM-only).
 */
export interface OcrSettings {
  /** Worker threads kept ready; each reads one image at a time. */
  readonly workers: number;
  /** A recognition still running after this long is abandoned and its worker replaced. */
  readonly timeoutMs: number;
  /** Reads waiting beyond this are refused at once with `engine.unavailable`. */
  readonly maxQueue: number;
}

const MRZ_WHITELIST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

export function engLanguageDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0');
}

/**
 * `legacy` is Tesseract's character-shape classifier (OEM 0), the primary reader; `lstm` is its neural line
 * recogniser (OEM 1), which misreads filler runs (`<<<<` as `<K<KLK`) but seldom confuses letters the way the
 * legacy engine does (M/H, 5/S), so it serves as an independent second opinion.
 */
export type OcrEngine = 'legacy' | 'lstm';

async function startWorker(engine: OcrEngine): Promise<Tesseract.Worker> {
  const worker = await Tesseract.createWorker(
    'eng',
    engine === 'legacy' ? Tesseract.OEM.TESSERACT_ONLY : Tesseract.OEM.LSTM_ONLY,
    { langPath: engLanguageDir(), gzip: true, cacheMethod: 'none', legacyCore: true, legacyLang: true },
    // Dictionaries help running text and hurt an MRZ; not loading them also saves memory.
    { load_system_dawg: '0', load_freq_dawg: '0' },
  );
  await worker.setParameters({
    tessedit_char_whitelist: MRZ_WHITELIST,
    tessedit_pageseg_mode: Tesseract.PSM.SINGLE_BLOCK,
    // Strips carry no resolution; 30-pixel characters are about 2.5 mm at 300 dpi, the MRZ's own size.
    user_defined_dpi: '300',
  });
  return worker;
}

interface Slot {
  worker: Promise<Tesseract.Worker>;
  busy: boolean;
}

interface Waiting {
  run: (slot: Slot) => void;
}

export class OcrPool {
  private readonly queue: Waiting[] = [];
  private closed = false;

  private constructor(
    private readonly settings: OcrSettings,
    private readonly engine: OcrEngine,
    private readonly slots: Slot[],
  ) {}

  /** Starts the workers and waits until each has loaded its language data. */
  static async start(settings: OcrSettings, engine: OcrEngine = 'legacy'): Promise<OcrPool> {
    const slots = Array.from({ length: settings.workers }, () => ({ worker: startWorker(engine), busy: false }));
    const started = await Promise.allSettled(slots.map((s) => s.worker));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(started.flatMap((r) => (r.status === 'fulfilled' ? [r.value.terminate()] : [])));
      throw new Error(`OCR workers could not start: ${String(failed.reason)}`);
    }
    return new OcrPool(settings, engine, slots);
  }

  /** The text Tesseract reads in an image (PNG or JPEG bytes), one line per text line. */
  async recognize(image: Buffer): Promise<string> {
    if (this.closed) throw new AppError('engine.unavailable', 'the OCR engine is stopped', { engine: 'ocr' });
    const slot = await this.acquire();
    try {
      const worker = await slot.worker.catch((e: unknown) => {
        slot.worker = startWorker(this.engine); // a replacement that failed to start: try again for the next read
        throw new AppError('engine.unavailable', 'the OCR engine could not start', {
          engine: 'ocr',
          reason: 'worker_error',
          detail: e instanceof Error ? e.message : String(e),
        });
      });
      const result = await this.withTimeout(worker.recognize(image), slot);
      return result.data.text;
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.slots.map(async (s) => (await s.worker).terminate()));
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this.queue.length >= this.settings.maxQueue) {
      throw new AppError('engine.unavailable', 'the OCR engine is saturated; retry shortly', {
        engine: 'ocr',
        reason: 'queue_full',
      });
    }
    return new Promise((resolve) => this.queue.push({ run: resolve }));
  }

  private release(slot: Slot): void {
    const next = this.queue.shift();
    if (next) next.run(slot);
    else slot.busy = false;
  }

  /**
   * Tesseract cannot cancel a recognition: on timeout the worker is terminated and a fresh one started in
   * its slot, so a pathological image costs one worker restart, not a stuck pool.
   */
  private withTimeout<T>(work: Promise<T>, slot: Slot): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    work.catch(() => undefined); // a terminated worker's job may still reject after the timeout answered
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const old = slot.worker;
        const restart = () => startWorker(this.engine);
        slot.worker = old.then((w) => w.terminate()).then(restart, restart);
        reject(
          new AppError('engine.unavailable', 'the OCR engine did not finish in time', {
            engine: 'ocr',
            reason: 'timeout',
          }),
        );
      }, this.settings.timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
