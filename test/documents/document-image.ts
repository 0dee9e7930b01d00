import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { buildMrz, type DocumentFields } from './mrz-builder.js';

/**
 * Synthetic identity documents for tests and the MRZ benchmark, drawn as SVG and rasterised by sharp
 * (librsvg, fonts through fontconfig): a TD3 passport data page (portrait, printed fields, two-line MRZ) and
 * a TD1 identity card scanned front above back, as a card is photocopied (portrait and fields on the front,
 * the three-line MRZ on the back). The MRZ is set in OCR-B (Debian's fonts-ocr-b) at the ICAO pitch of
 * 2.54 mm per character. Nothing here is shipped.
 */
export const OCR_B_FILE = '/usr/share/fonts/opentype/ocr-b/OCRB.otf';

export function assertOcrBFont(): void {
  if (!existsSync(OCR_B_FILE)) {
    // fontconfig would quietly substitute another font, and every MRZ figure would be meaningless.
    throw new Error(`the OCR-B font is missing (${OCR_B_FILE}): apt-get install fonts-ocr-b (see .ci/packages)`);
  }
}

export interface RenderedDocument {
  readonly image: Buffer;
  readonly lines: string[];
  readonly width: number;
  readonly height: number;
}

const MRZ_PITCH_MM = 2.54;
// OCR-B's advance is 0.723 em; 3.3 mm type gives a 2.4 mm character height at that pitch.
const MRZ_FONT_MM = 3.3;

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function mrzSvg(lines: readonly string[], left: number, firstBaseline: number, lineGap: number, px: number): string {
  const out: string[] = [];
  lines.forEach((line, l) => {
    const y = (firstBaseline + l * lineGap) * px;
    for (let i = 0; i < line.length; i++) {
      const x = (left + i * MRZ_PITCH_MM) * px;
      out.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}">${esc(line[i]!)}</text>`);
    }
  });
  return `<g font-family="OCR B" font-size="${MRZ_FONT_MM * px}" fill="#1a1a1a">${out.join('')}</g>`;
}

/** Fine wavy lines over a tinted ground, as on security paper (light enough not to be text). */
function securityGround(w: number, h: number, tint: string, px: number): string {
  const waves: string[] = [];
  for (let k = 0; k < 14; k++) {
    const y0 = (h / 14) * k;
    let d = `M0 ${y0.toFixed(1)}`;
    for (let x = 0; x <= w; x += 4 * px)
      d += ` L${x.toFixed(1)} ${(y0 + Math.sin(x / (9 * px) + k) * 2.5 * px).toFixed(1)}`;
    waves.push(`<path d="${d}" stroke="#c9d6cf" stroke-width="${0.15 * px}" fill="none"/>`);
  }
  return `<rect width="${w}" height="${h}" rx="${3 * px}" fill="${tint}"/>${waves.join('')}`;
}

function field(label: string, value: string, x: number, y: number, px: number): string {
  return (
    `<text x="${x * px}" y="${y * px}" font-family="DejaVu Sans" font-size="${1.6 * px}" fill="#4a5a66">${esc(label)}</text>` +
    `<text x="${x * px}" y="${(y + 3.2) * px}" font-family="DejaVu Sans" font-size="${2.6 * px}" fill="#111">${esc(value)}</text>`
  );
}

const printedDate = (yymmdd: string) => `${yymmdd.slice(4, 6)}.${yymmdd.slice(2, 4)}.${yymmdd.slice(0, 2)}`;

async function portraitPng(face: Buffer, wMm: number, hMm: number, px: number): Promise<Buffer> {
  const w = Math.round(wMm * px);
  const h = Math.round(hMm * px);
  // Printed portraits are a little flat and desaturated; the face is cropped to the ICAO 35×45 proportion.
  return sharp(face)
    .resize(w, h, { fit: 'cover', position: 'attention' })
    .modulate({ saturation: 0.7 })
    .linear(0.85, 25)
    .png()
    .toBuffer();
}

/** What to draw instead of the true MRZ (a corrupted one, say), and at what scale. */
export interface RenderOptions {
  readonly mrz?: string[];
  /** Pixels per millimetre. */
  readonly px?: number;
}

/** A TD3 passport data page (125 × 88 mm). */
export async function renderPassport(
  fields: DocumentFields,
  face: Buffer,
  { mrz, px = 10 }: RenderOptions = {},
): Promise<RenderedDocument> {
  const lines = mrz ?? buildMrz({ ...fields, format: 'TD3' });
  const [w, h] = [Math.round(125 * px), Math.round(88 * px)];
  const info = [
    field('Type / Тип', 'P', 45, 16, px),
    field('Code of State', fields.issuingState, 62, 16, px),
    field('Passport No.', fields.documentNumber, 88, 16, px),
    field('Surname', fields.surname, 45, 25, px),
    field('Given names', fields.givenNames, 45, 34, px),
    field('Nationality', fields.nationality, 45, 43, px),
    field('Date of birth', printedDate(fields.birth), 88, 43, px),
    field('Sex', fields.sex, 45, 52, px),
    field('Date of expiry', printedDate(fields.expiry), 88, 52, px),
  ].join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    securityGround(w, h, '#eef3ee', px) +
    `<text x="${45 * px}" y="${8 * px}" font-family="DejaVu Sans" font-weight="bold" font-size="${3.4 * px}" fill="#234">PASSPORT</text>` +
    info +
    mrzSvg(lines, 6, 77.3, 5.0, px) +
    '</svg>';
  const portrait = await portraitPng(face, 33, 43, px);
  const image = await sharp(Buffer.from(svg))
    .composite([{ input: portrait, left: Math.round(6 * px), top: Math.round(12 * px) }])
    .png()
    .toBuffer();
  return { image, lines, width: w, height: h };
}

/** A TD1 identity card (85.6 × 54 mm), front above back on a scanner's white page. */
export async function renderIdCard(
  fields: DocumentFields,
  face: Buffer,
  { mrz, px = 12 }: RenderOptions = {},
): Promise<RenderedDocument> {
  const lines = mrz ?? buildMrz({ ...fields, format: 'TD1' });
  const [cw, ch] = [Math.round(85.6 * px), Math.round(54 * px)];
  const margin = Math.round(8 * px);
  const front =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cw}" height="${ch}">` +
    securityGround(cw, ch, '#eef0f6', px) +
    `<text x="${30 * px}" y="${7 * px}" font-family="DejaVu Sans" font-weight="bold" font-size="${2.8 * px}" fill="#234">IDENTITY CARD</text>` +
    field('Surname', fields.surname, 30, 13, px) +
    field('Given names', fields.givenNames, 30, 21, px) +
    field('Date of birth', printedDate(fields.birth), 30, 29, px) +
    field('Sex', fields.sex, 62, 29, px) +
    field('Nationality', fields.nationality, 30, 37, px) +
    field('Document No.', fields.documentNumber, 30, 45, px) +
    '</svg>';
  const back =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cw}" height="${ch}">` +
    securityGround(cw, ch, '#eef0f6', px) +
    field('Date of expiry', printedDate(fields.expiry), 5, 6, px) +
    field('Authority', 'MINISTRY OF INTERNAL AFFAIRS', 5, 14, px) +
    mrzSvg(lines, 4.7, 41.6, 4.4, px) +
    '</svg>';
  const portrait = await portraitPng(face, 23, 30, px);
  const frontPng = await sharp(Buffer.from(front))
    .composite([{ input: portrait, left: Math.round(3.5 * px), top: Math.round(11 * px) }])
    .png()
    .toBuffer();
  const backPng = await sharp(Buffer.from(back)).png().toBuffer();
  const [w, h] = [cw + 2 * margin, 2 * ch + 3 * margin];
  const image = await sharp({ create: { width: w, height: h, channels: 3, background: '#fbfbfb' } })
    .composite([
      { input: frontPng, left: margin, top: margin },
      { input: backPng, left: margin, top: ch + 2 * margin },
    ])
    .png()
    .toBuffer();
  return { image, lines, width: w, height: h };
}

export function renderDocument(
  fields: DocumentFields,
  face: Buffer,
  options?: RenderOptions,
): Promise<RenderedDocument> {
  return fields.format === 'TD3' ? renderPassport(fields, face, options) : renderIdCard(fields, face, options);
}
