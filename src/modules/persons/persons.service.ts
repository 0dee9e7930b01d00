import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Repositories } from '../../repositories.js';
import type { Erasure } from './erasure.js';
import type { PersonRecord, PersonRecords } from './person-record.js';

/**
 * Operator actions on people, by their real id (the citizen's `citizenId`): viewing a record, erasing a
 * person's biometrics on their behalf, and recording guardianships and birth dates (from documents the
 * operator has checked).
 */
export class PersonsService {
  constructor(
    private readonly repos: Pick<Repositories, 'persons' | 'consent'>,
    private readonly transactions: Transactor,
    private readonly records: PersonRecords,
    private readonly access: AccessService,
    private readonly erasure: Erasure,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(ctx: CallContext, personId: string): Promise<PersonRecord & { personId: string }> {
    const person = await this.access.authoriseOperatorOn(ctx, personId, 'person.view');
    return { personId: person.id, ...(await this.records.read(person, isoNow(this.clock))) };
  }

  /**
   * Erases a person's biometrics (see {@link Erasure}). The matcher forgets the templates before this returns;
   * until then identification cannot return them either, because its candidates are checked against the store.
   */
  async delete(ctx: CallContext, personId: string): Promise<{ personId: string; templatesErased: number }> {
    const person = await this.access.authoriseOperatorOn(ctx, personId, 'person.delete');
    const done = await this.erasure.erase(ctx, person, 'person.delete');
    // Erased by a concurrent call meanwhile: the answer an erasure asked for afterwards gets.
    if (!done) throw new AppError('person.not_found', `no person ${personId}`, { personId });
    return { personId, templatesErased: done.templatesErased };
  }

  /** Records that `guardianId` is a guardian of the minor `personId` (both active, in the operator's reach). */
  async addGuardian(ctx: CallContext, personId: string, guardianId: string): Promise<void> {
    const minor = await this.access.authoriseOperatorOn(ctx, personId, 'guardian.add');
    if (!(await this.repos.persons.findOpen(guardianId)) || guardianId === personId) {
      throw new AppError('person.not_found', `no person ${guardianId} to be a guardian`, { personId: guardianId });
    }
    // One recorded twice is refused by the store (guardian.exists, through the constraint table in src/db).
    await this.transactions.transaction(async (tx) => {
      await this.repos.consent.insertGuardianship(tx, {
        minor_id: minor.id,
        guardian_id: guardianId,
        created_by: ctx.principal.id,
        created_at: isoNow(this.clock),
        removed_at: null,
      });
      await this.audit.record(tx, ctx, {
        action: 'guardian.add',
        result: 'added',
        segmentId: minor.segment_id,
        personId: minor.id,
        detail: { guardianId },
      });
    });
  }

  async removeGuardian(ctx: CallContext, personId: string, guardianId: string): Promise<void> {
    const minor = await this.access.authoriseOperatorOn(ctx, personId, 'guardian.remove');
    await this.transactions.transaction(async (tx) => {
      const ended = await this.repos.consent.endGuardianship(tx, minor.id, guardianId, isoNow(this.clock));
      if (!ended) throw new AppError('guardian.not_found', `${guardianId} is not a guardian of ${personId}`);
      await this.audit.record(tx, ctx, {
        action: 'guardian.remove',
        result: 'removed',
        segmentId: minor.segment_id,
        personId: minor.id,
        detail: { guardianId },
      });
    });
  }
}
