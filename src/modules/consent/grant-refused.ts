import { AppError } from '../../errors/app-error.js';
import type { GrantRefusal } from './consent-policy.js';

/** The error a refused grant answers with, wherever consent is given (enrolment, citizen, guardian). */
export function grantRefused(reason: GrantRefusal, purpose: string): AppError {
  switch (reason) {
    case 'purpose_forbidden_for_minor':
      return new AppError('consent.purpose_forbidden_for_minor', `the segment does not allow ${purpose} for minors`, {
        purpose,
      });
    case 'guardian_required':
      return new AppError('consent.guardian_required', 'only a guardian can grant consent for a minor', { purpose });
    case 'not_your_data':
      return new AppError('citizen.not_allowed', 'a guardian may not grant consent for an adult', { purpose });
  }
}
