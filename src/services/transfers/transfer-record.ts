import { z } from 'zod';
import type { ErrorCode } from '../../errors/app-error.js';

/** The consent evidence a bank hands over with each record: what the person signed, where, when. */
const Evidence = z.object({
  kind: z.string().min(1).max(64),
  reference: z.string().min(1).max(256),
  at: z.iso.datetime({ offset: true }),
});

const Line = z
  .object({
    externalRef: z.string().min(1).max(128),
    segment: z.string().min(1).max(64),
    capturedAt: z.iso.datetime({ offset: true }),
    consent: z.object({ purposes: z.array(z.string().min(1).max(48)).min(1).max(16), evidence: Evidence }),
    birthDate: z.iso.date().optional(),
    image: z.base64().min(1).optional(),
    template: z
      .object({ modelPack: z.string().min(1).max(128), vector: z.array(z.number()).min(1).max(4096) })
      .optional(),
  })
  .refine((l) => (l.image === undefined) !== (l.template === undefined), 'send exactly one of image and template');

export type TransferLine = z.infer<typeof Line>;

export type ParsedLine =
  | { readonly ok: true; readonly record: TransferLine }
  | { readonly ok: false; readonly code: ErrorCode; readonly externalRef?: string; readonly reason: string };

/**
 * One NDJSON line of a batch, checked: not JSON (a truncated line too) is `transfer.record_invalid`, a line with
 * no consent (or no purposes, or no evidence) is `consent.missing`, any other shape error `transfer.record_invalid`.
 * The external reference is kept when it can be read, so the report names the bank's own record.
 */
export function parseLine(text: string, complete: boolean): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'transfer.record_invalid', reason: complete ? 'not JSON' : 'truncated line' };
  }
  const ref = refOf(json);
  const parsed = Line.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const consentIssue = parsed.error.issues.some((i) => i.path[0] === 'consent');
  return {
    ok: false,
    code: consentIssue ? 'consent.missing' : 'transfer.record_invalid',
    ...(ref ? { externalRef: ref } : {}),
    reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; '),
  };
}

function refOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('externalRef' in json)) return undefined;
  const ref = json.externalRef;
  return typeof ref === 'string' && ref.length > 0 && ref.length <= 128 ? ref : undefined;
}
