import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** True from just before the multipart body is read until it has been read in full. */
    readingMultipart?: boolean;
  }
}

/**
 * Multipart bodies (an image file and fields), read into `request.body` before validation. busboy reports a
 * malformed body (a wrong or missing boundary, a body that ends early) with plain errors that carry no code;
 * two hooks around the plugin's own mark the time the body is being read, so the error handler can tell
 * such an error from an internal one and answer 400 rather than 500.
 */
export async function registerMultipartBody(
  app: FastifyInstance,
  limits: { fileSize: number; files: number; fields: number; parts: number },
): Promise<void> {
  // Hooks of one context run in the order they were added: this one, the plugin's, then the one below.
  app.addHook('preValidation', (request, _reply, done) => {
    request.readingMultipart = request.isMultipart();
    done();
  });
  await app.register(fastifyMultipart, { attachFieldsToBody: 'keyValues', limits });
  app.addHook('preValidation', (request, _reply, done) => {
    request.readingMultipart = false;
    done();
  });
}

/** Whether `error` was thrown by the multipart parser itself (it has no code of its own). */
export function failedReadingMultipart(request: FastifyRequest, error: unknown): boolean {
  if (!request.readingMultipart) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && code === undefined && !('statusCode' in error);
}
