import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { constraintError } from '../db/constraint-errors.js';
import { storeFailure } from '../db/store-errors.js';
import { AppError, errorStatus, type ErrorCode } from '../errors/app-error.js';
import { failedReadingMultipart } from './multipart-body.js';

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
  FST_ERR_BAD_URL: { code: 'request.invalid', message: 'the URL is not valid' },
  // An id longer than any we issue (Fastify's router limit, 100 characters per path parameter).
  FST_ERR_MAX_PARAM_LENGTH: { code: 'request.uri_too_long', message: 'a path parameter is too long' },
  // A path that climbs out of a static folder (/docs/static/../..) is answered like any path that is not there.
  FST_STATIC_FORBIDDEN_PATH: { code: 'request.not_found', message: 'no such route' },
};

const CLIENT_ERRORS_BY_STATUS: Record<number, ErrorCode> = {
  404: 'request.not_found',
  413: 'request.too_large',
  414: 'request.uri_too_long',
  415: 'request.unsupported_media_type',
  429: 'request.rate_limited',
};

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
  const store = storeFailure(error);
  if (store === 'unavailable') {
    return {
      status: 503,
      body: { code: 'store.unavailable', message: 'the store is unavailable; retry shortly', data: { requestId } },
    };
  }
  if (store === 'full') {
    return {
      status: 503,
      body: {
        code: 'store.full',
        message: 'the store has no space left; nothing was written, retry once an operator has freed space',
        data: { requestId },
      },
    };
  }
  // Any other refusal of the framework or one of its plugins (a 4xx we have no finer code for) is the
  // caller's mistake, not an internal error.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = CLIENT_ERRORS_BY_STATUS[e.statusCode] ?? 'request.invalid';
    return { status: errorStatus[code], body: { code, message: 'the request was refused' } };
  }
  return {
    status: 500,
    body: { code: 'internal.error', message: 'an internal error occurred', data: { requestId } },
  };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  // busboy's own errors (a wrong or missing boundary, a body cut short) carry no code: what marks them is that
  // they were thrown while the multipart body was being read.
  const refused = failedReadingMultipart(request, error)
    ? new AppError('request.invalid', 'the multipart body is malformed (check the boundary)', undefined, {
        cause: error,
      })
    : refusedStaticPath(request, error)
      ? new AppError('request.not_found', 'no such route', undefined, { cause: error })
      : error;
  const { status, body } = toErrorBody(refused, request.id);
  if (status >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
  else {
    const cause = refused instanceof AppError ? refused.causeText() : undefined;
    request.log.info({ code: body.code, ...(cause ? { cause } : {}) }, 'request refused');
  }
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="oblik"');
  const retryAfter = refused instanceof AppError ? refused.data?.['retryAfterSeconds'] : undefined;
  if (status === 429 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  void reply.code(status).send(body);
}

/**
 * Errors Fastify raises before any route or hook runs (a malformed URL, an over-long path parameter). No hook
 * adds the request id or the security headers there, so they are set here.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('cache-control', 'no-store');
  errorHandler(error, request, reply);
}

/**
 * A static file server's refusal of a path (a climb out of /docs/static, a malformed name: `send` answers 400
 * or 403 depending on its version) is answered like any path that is not there.
 */
function refusedStaticPath(request: FastifyRequest, error: unknown): boolean {
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  // Fastify's own refusals (a URL that is not valid percent-encoding) keep their codes.
  if (typeof code === 'string' && code.startsWith('FST_')) return false;
  return (statusCode === 400 || statusCode === 403) && request.url.startsWith('/docs/static/');
}
