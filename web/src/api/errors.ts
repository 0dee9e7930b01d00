/** An error answer of the Oblik API (`{ code, message, data }`), or a failure to reach it (`network`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown> = {},
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  data?: unknown;
}

/** Turns an error response into an ApiError, whatever its body. */
export function apiError(response: Response, body: unknown): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
  return new ApiError(
    response.status,
    typeof b.code === 'string' ? b.code : `http.${response.status}`,
    typeof b.message === 'string' ? b.message : response.statusText,
    typeof b.data === 'object' && b.data !== null ? (b.data as Record<string, unknown>) : {},
    response.headers.get('x-request-id'),
  );
}

/**
 * The data of an openapi-fetch call, or an ApiError: pages handle one error type whatever failed.
 * @example const { segments } = await unwrap(api.GET('/v1/segments'));
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (!result.response.ok) throw apiError(result.response, result.error);
  return result.data as T;
}
