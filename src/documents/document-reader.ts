import type { FaceEngine } from '../biometrics/face-engine.js';
import type { IntakeLimits } from '../biometrics/image-intake.js';
import type { Template } from '../biometrics/template.js';
import { AppError } from '../errors/app-error.js';
import type { Clock } from '../ports/clock.js';
import { isoDay } from './mrz-dates.js';
import { MrzImageReader } from './mrz-reader.js';
import { parseMrz, type MrzDocument } from './mrz.js';
import { OcrPool, type OcrSettings } from './ocr-pool.js';
import { PortraitMatcher, type PortraitComparison } from './portrait.js';

/**
 * The identity-document capability that relying-party services (telecom contracts, Wi-Fi `document` login)
 * construct once and inject: an identity document given as MRZ text or as a photo or scan, read and checked
 * (every check digit, every field, expiry by the injected clock), and the portrait on a photo compared 1:1
 * with a live face. It stores nothing; what to keep of a document is the service's decision.
 *
 * Refusals: `document.unreadable` (wrong shape, a failed check digit, an invalid field: `data.reason`,
 * `data.fields`), `document.mrz_not_found` (an image with no MRZ in it), `document.expired`,
 * `document.portrait_not_found`, the image intake's `image.*` codes, and `engine.unavailable` when OCR is
 * saturated or times out.
 */
export type DocumentInput = { readonly mrz: string | readonly string[] } | { readonly image: Uint8Array };

export interface DocumentReading {
  readonly document: MrzDocument;
  readonly source: 'mrz' | 'image';
  /** OCR passes over the image (image input only). */
  readonly ocrPasses?: number;
}

export interface DocumentSettings {
  readonly ocr: OcrSettings;
  /** Size and pixel limits for document images (the face engine's). */
  readonly intake: IntakeLimits;
}

export class DocumentReader {
  constructor(
    private readonly images: MrzImageReader,
    private readonly portraits: PortraitMatcher,
    private readonly clock: Clock,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Starts a long-lived OCR pool and reads with it; `close()` stops it. */
  static async start(settings: DocumentSettings, engine: FaceEngine, clock: Clock): Promise<DocumentReader> {
    const [primary, second] = await Promise.all([
      OcrPool.start(settings.ocr, 'legacy'),
      OcrPool.start(settings.ocr, 'lstm'),
    ]);
    return new DocumentReader(
      new MrzImageReader({ primary, second }, settings.intake),
      new PortraitMatcher(engine),
      clock,
      async () => {
        await Promise.all([primary.close(), second.close()]);
      },
    );
  }

  /**
   * Reads and checks a document.
   * @example const { document } = await documents.read({ mrz: 'P<KAZ…\nN12345678…' });
   */
  async read(input: DocumentInput): Promise<DocumentReading> {
    const today = this.clock.now();
    const reading: DocumentReading =
      'mrz' in input
        ? { document: parseMrz(input.mrz, today), source: 'mrz' }
        : await this.images.read(input.image, today).then((r) => ({
            document: r.document,
            source: 'image' as const,
            ocrPasses: r.passes,
          }));
    assertNotExpired(reading.document, today);
    return reading;
  }

  /** The portrait on a document image compared with a live face's template, at the engine's 1:1 threshold. */
  portraitScore(documentImage: Uint8Array, live: Template): Promise<PortraitComparison> {
    return this.portraits.compare(documentImage, live);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** A document is valid through its expiry date (UTC day of `today`); after it, `document.expired`. */
export function assertNotExpired(document: MrzDocument, today: Date): void {
  if (document.expiryDate < isoDay(today)) {
    throw new AppError('document.expired', 'the identity document has expired', { expiryDate: document.expiryDate });
  }
}
