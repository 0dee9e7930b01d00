/**
 * The one error model of Oblik. Every failure a caller can cause carries a stable `code` (part of the API),
 * the HTTP status it maps to, and optional structured `data` (for example the quality reasons).
 */
export const errorStatus = {
  'image.unreadable': 400,
  'image.too_large': 413,
  'image.unsupported_format': 415,
  'face.not_found': 422,
  'face.multiple': 422,
  'face.low_quality': 422,
  'face.spoof_suspected': 422,
  'template.model_mismatch': 409,
  'request.invalid': 400,
  'request.unsupported_media_type': 415,
  'request.too_large': 413,
  'request.not_found': 404,
  'request.uri_too_long': 414,
  'request.rate_limited': 429,
  'idempotency.key_reused': 422,
  'auth.unauthorized': 401,
  'auth.forbidden': 403,
  'consent.missing': 403,
  'consent.guardian_required': 403,
  'consent.purpose_forbidden_for_minor': 403,
  'consent.purpose_not_offered': 422,
  'consent.not_found': 404,
  'lock.not_found': 404,
  'guardian.exists': 409,
  'guardian.not_found': 404,
  'citizen.sign_in_failed': 401,
  'citizen.sign_in_throttled': 429,
  'citizen.session_invalid': 401,
  'citizen.not_allowed': 403,
  'citizen.biometrics_erased': 409,
  'citizen.account_open': 409,
  'citizen.step_up_required': 403,
  'citizen.no_contact': 409,
  'message.undelivered': 503,
  'relying_party.not_found': 404,
  'incident.scope_empty': 422,
  'rekey.in_progress': 409,
  'person.not_found': 404,
  'segment.not_found': 404,
  'segment.exists': 409,
  'adjudication.not_found': 404,
  'adjudication.resolved': 409,
  'adjudication.not_cleared': 409,
  'enrolment.duplicate': 409,
  'enrolment.face_mismatch': 409,
  'enrolment.rate_limited': 429,
  'document.unreadable': 422,
  'document.mrz_not_found': 422,
  'document.expired': 422,
  'document.portrait_not_found': 422,
  'document.portrait_mismatch': 422,
  'telecom.identity_conflict': 409,
  'telecom.contract_limit': 409,
  'telecom.number_in_use': 409,
  'telecom.contract_not_found': 404,
  'telecom.contract_ended': 409,
  'telecom.not_ending': 409,
  'telecom.ending_pending': 409,
  'telecom.face_mismatch': 403,
  'telecom.effective_before_application': 422,
  'telecom.number_not_found': 404,
  'telecom.not_number_holder': 403,
  'telecom.port_same_operator': 409,
  'telecom.port_pending': 409,
  'telecom.switch_too_early': 422,
  'telecom.port_request_not_found': 404,
  'telecom.port_closed': 409,
  'telecom.objection_not_allowed': 422,
  'telecom.objection_too_late': 409,
  'transit.gate_not_found': 404,
  'transit.tariff_not_set': 409,
  'transit.rider_not_found': 404,
  'transit.settlement_declined': 402,
  'parking.facility_not_found': 404,
  'parking.segment_not_allowed': 403,
  'payment.timeout': 503,
  'venue.not_found': 404,
  'venue.access_not_found': 404,
  'venue.window_invalid': 422,
  'school.not_found': 404,
  'school.pupil_exists': 409,
  'relying_party.signing_key_invalid': 400,
  'transfer.signing_key_missing': 409,
  'transfer.signature_invalid': 401,
  'transfer.too_large': 413,
  'transfer.replayed': 409,
  'transfer.not_found': 404,
  'transfer.record_invalid': 422,
  'transfer.record_too_large': 413,
  'transfer.already_imported': 409,
  'transparency.out_of_range': 400,
  'transparency.head_not_found': 404,
  'engine.unavailable': 503,
  'store.unavailable': 503,
  'store.full': 503,
  'internal.error': 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly status: number;

  /**
   * @param options.cause what went wrong underneath (a library's message, a driver error): logged by the error
   *   handler, never sent to the caller, since it can name internals.
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }

  /** The cause as one line of text, for logs (and for carrying it out of an engine worker). */
  causeText(): string | undefined {
    if (this.cause === undefined) return undefined;
    if (this.cause instanceof Error) return this.cause.message.split('\n')[0];
    return typeof this.cause === 'string' ? this.cause : JSON.stringify(this.cause);
  }

  /** The wire form shared by HTTP responses, worker messages and the CLI's `--json`. */
  toJSON(): { code: ErrorCode; message: string; data?: Record<string, unknown> } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/**
 * Throws an {@link AppError} with `code` unless `condition` holds.
 * @example assertThat(bytes.length > 0, 'image.unreadable', 'the image is empty');
 */
export function assertThat(
  condition: unknown,
  code: ErrorCode,
  message: string,
  data?: Record<string, unknown>,
): asserts condition {
  if (!condition) throw new AppError(code, message, data);
}
