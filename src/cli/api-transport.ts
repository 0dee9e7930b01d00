import type { FastifyInstance } from 'fastify';

/** One API call's answer. */
export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

/**
 * How the CLI reaches the registry: over HTTP to a running server, or in-process against the local store
 * (the same routes, authorisation and audit, through Fastify's `inject`).
 */
export type ApiTransport = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<ApiReply>;

export function httpTransport(baseUrl: string, apiKey: string): ApiTransport {
  const base = baseUrl.replace(/\/+$/, '');
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
}

export function inProcessTransport(app: FastifyInstance, apiKey: string): ApiTransport {
  return async (method, path, body) => {
    const res = await app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${apiKey}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : null };
  };
}
