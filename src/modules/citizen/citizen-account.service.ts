import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { Repositories } from '../../repositories.js';
import type { AuditService } from '../audit/audit.service.js';
import type { ContactBook } from '../notifications/contact-book.js';
import type { Erasure } from '../persons/erasure.js';
import type { Pseudonyms } from '../pseudonyms/pseudonyms.js';
import { citizenContext } from './citizen-principal.js';
import type { SignedInCitizen } from './citizen-sessions.service.js';
import type { CitizenSubjects } from './citizen-subjects.js';

/**
 * The citizen's account: erasure of their biometrics at any time, and closing the account (contact changes are
 * ContactChanges). What the account holds is read through {@link CitizenRecordsService}.
 */
export class CitizenAccountService {
  constructor(
    private readonly repos: Pick<Repositories, 'persons' | 'citizenSessions'>,
    private readonly transactions: Transactor,
    private readonly subjects: CitizenSubjects,
    private readonly erasure: Erasure,
    private readonly people: { readonly contacts: ContactBook; readonly pseudonyms: Pseudonyms },
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Erases the biometrics (see {@link Erasure}); the account and its history stay until it is closed. */
  async eraseBiometrics(session: SignedInCitizen, requestId: string, personId?: string) {
    const { person } = await this.subjects.resolve(session, personId);
    const done =
      person.status === 'active'
        ? await this.erasure.erase(citizenContext(session.personId, requestId), person, 'biometrics.erase')
        : undefined;
    if (!done) {
      // Erased before, or by a concurrent call a moment ago: the same answer.
      const erasedAt = person.deleted_at ?? (await this.repos.persons.findOpen(person.id))?.deleted_at ?? null;
      throw new AppError('citizen.biometrics_erased', 'the biometrics are already erased', { erasedAt });
    }
    return { citizenId: person.id, ...done, erasedAt: isoNow(this.clock) };
  }

  /**
   * Closes the citizen's own account: biometrics erased first if still held, pseudonyms and contact details
   * forgotten, sessions ended. The audit records stay (the log is append-only) but no session can read them.
   */
  async close(session: SignedInCitizen, requestId: string) {
    const { person } = await this.subjects.resolve(session);
    const ctx = citizenContext(session.personId, requestId);
    if (person.status === 'active') await this.erasure.erase(ctx, person, 'biometrics.erase');
    await this.transactions.transaction(async (tx) => {
      await this.repos.persons.markClosed(tx, person.id);
      await this.people.pseudonyms.forget(tx, person.id);
      await this.people.contacts.forget(tx, person.id);
      await this.repos.citizenSessions.endAllOf(tx, person.id, isoNow(this.clock));
      await this.audit.record(tx, ctx, {
        action: 'account.close',
        result: 'closed',
        segmentId: person.segment_id,
        personId: person.id,
      });
    });
    return { citizenId: person.id, closedAt: isoNow(this.clock) };
  }
}
