import { z } from 'zod';
import { errorStatus, type ErrorCode } from '../errors/app-error.js';
import { PURPOSE_PATTERN, RIGHTS, WELL_KNOWN_PURPOSES } from '../modules/access/purposes.js';
import { SEGMENT_ID } from '../modules/segments/segment-id.js';

/** Schemas shared by several modules' routes; they also feed the OpenAPI document. */
export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

export const ErrorBody = z
  .object({
    code: z.enum(errorCodes).describe('stable error code, part of the API'),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Error' });

/** The error responses a route can give, each documented with the error schema. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([401, 500, ...statuses].map((s) => [s, ErrorBody]));
}

export const Purpose = z
  .string()
  .regex(PURPOSE_PATTERN, 'a lowercase slug such as "transit_fare"')
  .describe(`why a face is used; well-known purposes: ${WELL_KNOWN_PURPOSES.join(', ')}`)
  .meta({ id: 'Purpose' });
export const Right = z.enum(RIGHTS);
export const SegmentId = z.string().regex(SEGMENT_ID, 'a lowercase slug such as "moscow"');
export const ImageField = z
  .string()
  .max(64 * 1024 * 1024)
  .describe('the face image (JPEG, PNG or WebP) in base64, or a data: URL; multipart: a file part named "image"');
export const Id = z.string().min(3).max(64);

export const security = [{ bearer: [] }];

/** The body of a 204 answer. */
export const NoContent = z.null();
