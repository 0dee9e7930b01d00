import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import { consentRepository } from '../consent/consent.repository.js';
import { isUniqueViolation } from '../idempotency/idempotency.service.js';
import type { Erasure } from './erasure.js';
import { readPersonRecord, type PersonRecord } from './person-record.js';
import { personsRepository } from './persons.repository.js';

/**
 * Operator actions on people, by their real id (the citizen's `citizenId`): viewing a record, erasing a
 * person's biometrics on their behalf, and recording guardianships and birth dates (from documents the
 * operator has checked).
 */
export class PersonsService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly access: AccessService,
    private readonly erasure: Erasure,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(ctx: CallContext, personId: string): Promise<PersonRecord & { personId: string }> {
    const person = await this.access.authoriseOperatorOn(ctx, personId, 'person.view');
    return { personId: person.id, ...(await readPersonRecord(this.db, person, isoNow(this.clock))) };
  }

  /**
   * Erases a person's biometrics (see {@link Erasure}). The matcher forgets the templates before this returns;
   * until then identification cannot return them either, because its candidates are checked against the store.
   */
  async delete(ctx: CallContext, personId: string): Promise<{ personId: string; templatesErased: number }> {
    const person = await this.access.authoriseOperatorOn(ctx, personId, 'person.delete');
    const { templatesErased } = await this.erasure.erase(ctx, person, 'person.delete');
    return { personId, templatesErased };
  }

  /** Records that `guardianId` is a guardian of the minor `personId` (both active, in the operator's reach). */
  async addGuardian(ctx: CallContext, personId: string, guardianId: string): Promise<void> {
    const minor = await this.access.authoriseOperatorOn(ctx, personId, 'guardian.add');
    if (!(await personsRepository.findOpen(this.db, guardianId)) || guardianId === personId) {
      throw new AppError('person.not_found', `no person ${guardianId} to be a guardian`, { personId: guardianId });
    }
    try {
      await this.db.transaction().execute(async (tx) => {
        await consentRepository.insertGuardianship(tx, {
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
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new AppError('guardian.exists', 'this guardianship is already recorded (or was ended: record anew)', {
        guardianId,
      });
    }
  }

  async removeGuardian(ctx: CallContext, personId: string, guardianId: string): Promise<void> {
    const minor = await this.access.authoriseOperatorOn(ctx, personId, 'guardian.remove');
    await this.db.transaction().execute(async (tx) => {
      const ended = await consentRepository.endGuardianship(tx, minor.id, guardianId, isoNow(this.clock));
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
