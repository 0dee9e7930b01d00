import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes the `image` field of a JSON body: standard or URL-safe base64, optionally as a data URL, with
 * whitespace ignored. Anything else is refused as unreadable rather than decoded leniently into garbage.
 */
export function imageBytes(image: string): Uint8Array {
  const text = image.replace(DATA_URL, '').replace(/\s+/g, '');
  if (!BASE64.test(text) || text.length % 4 === 1) {
    throw new AppError('image.unreadable', 'image must be base64 (standard or URL-safe), optionally a data: URL');
  }
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}

/**
 * Multipart requests arrive (with `attachFieldsToBody: 'keyValues'`) as strings and a Buffer; this turns them
 * into the JSON shape the route's schema validates: the file as base64, list fields from JSON or commas.
 */
export function normaliseMultipartBody(request: FastifyRequest, listFields: readonly string[]): void {
  if (!request.isMultipart()) return;
  const body = { ...(request.body as Record<string, unknown>) };
  if (Buffer.isBuffer(body['image'])) body['image'] = body['image'].toString('base64');
  for (const field of listFields) {
    const value = body[field];
    if (typeof value === 'string') body[field] = parseList(value);
    else if (Array.isArray(value)) {
      body[field] = (value as unknown[]).flatMap((v): unknown[] => (typeof v === 'string' ? parseList(v) : [v]));
    }
  }
  request.body = body;
}

function parseList(value: string): unknown[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    } catch {
      return [trimmed];
    }
  }
  return trimmed
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
