import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { constraintError } from '../db/constraint-errors.js';
import { AppError, errorStatus, type ErrorCode } from '../errors/app-error.js';

/**
 * The one place errors become responses. `AppError` → its status and `{ code, message, data }`; a violated
 * constraint the table in src/db/constraint-errors.ts lists → its error (409/422); schema
 * failures → 400 `request.invalid` listing the bad fields; Fastify's own refusals (malformed JSON, body too
 * large, unsupported media type) → their stable codes; a store or engine outage → 503; anything else → 500
 * with the request id and no internals.
 */
const FRAMEWORK_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'request.invalid', message: 'the body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'request.invalid', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'request.unsupported_media_type',
    message: 'send application/json or multipart/form-data',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'request.invalid', message: 'Content-Length does not match the body' },
  // Only image-carrying requests are ever this large: the limit is the image limit plus base64's overhead.
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'image.too_large', message: 'the request body exceeds the image size limit' },
  FST_REQ_FILE_TOO_LARGE: { code: 'image.too_large', message: 'the image file is too large' },
  FST_PARTS_LIMIT: { code: 'request.too_large', message: 'too many multipart parts' },
  FST_FILES_LIMIT: { code: 'request.invalid', message: 'send exactly one image file' },
  FST_FIELDS_LIMIT: { code: 'request.too_large', message: 'too many multipart fields' },
  FST_PROTO_VIOLATION: { code: 'request.invalid', message: 'forbidden field name' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    code: 'request.unsupported_media_type',
    message: 'the request is not multipart',
  },
  FST_MP_PREMATURE_CLOSE: { code: 'request.invalid', message: 'the multipart body ended early' },
  FST_ERR_VALIDATION: { code: 'request.invalid', message: 'the request is invalid' },
};

/** Error codes of database drivers that mean the store is unreachable, not that the request is wrong. */
const STORE_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '53300', 'SQLITE_BUSY']);

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  data?: Record<string, unknown>;
}

export function toErrorBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (error instanceof AppError) return { status: error.status, body: error.toJSON() };
  const refused = constraintError(error);
  if (refused) return { status: refused.status, body: refused.toJSON() };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields = error.validation.map((v) => ({
      field: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      problem: v.message,
    }));
    return {
      status: 400,
      body: { code: 'request.invalid', message: 'the request does not match its schema', data: { fields } },
    };
  }
  const e = error as Partial<FastifyError> & { code?: string };
  const known = e.code ? FRAMEWORK_ERRORS[e.code] : undefined;
  if (known) {
    const status = errorStatus[known.code];
    return {
      status,
      body: {
        code: known.code,
        message: e.code === 'FST_ERR_VALIDATION' ? (e.message ?? known.message) : known.message,
      },
    };
  }
  if (e.code && STORE_DOWN.has(e.code)) {
    return {
      status: 503,
      body: { code: 'store.unavailable', message: 'the store is unavailable; retry shortly', data: { requestId } },
    };
  }
  return {
    status: 500,
    body: { code: 'internal.error', message: 'an internal error occurred', data: { requestId } },
  };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(error, request.id);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.code }, 'request refused');
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="oblik"');
  void reply.code(status).send(body);
}
