import type { AccessService, AuthorisedSubject } from '../access/access.service.js';
import type { AuditAction } from '../audit/audit.service.js';
import { citizenContext } from './citizen-principal.js';
import type { SignedInCitizen } from './citizen-sessions.service.js';

/** Whose data a citizen call acts on, and in what capacity (decided by the one authorisation step). */
export type Subject = AuthorisedSubject;

/**
 * Citizens see and act only on their own data, or on a minor's whose guardian they are: the decision, and the
 * audit of each refusal under the request's id, are {@link AccessService.authoriseCitizen}'s.
 */
export class CitizenSubjects {
  constructor(private readonly access: Pick<AccessService, 'authoriseCitizen'>) {}

  resolve(session: SignedInCitizen, personId?: string, action: AuditAction = 'citizen.read'): Promise<Subject> {
    return this.access.authoriseCitizen(citizenContext(session.personId, session.requestId), personId, action);
  }
}
