import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Matcher } from '../../matcher/matcher.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import { consentRepository } from '../consent/consent.repository.js';
import type { PersonKeys } from '../templates/person-keys.js';
import { templateEventsRepository } from '../templates/template-events.repository.js';
import { templatesRepository } from '../templates/templates.repository.js';
import type { PersonRow } from './persons.repository.js';
import { personsRepository } from './persons.repository.js';

/**
 * Erasure of a person's biometrics, by the citizen or by an operator on their behalf. In one transaction: the
 * templates go (and into the change feed, so every instance's matcher drops them), the person's key is
 * destroyed (so any other copy of the sealed templates is useless), every grant is revoked, and the erasure is
 * audited. This instance's matcher forgets the templates before the caller answers; the others follow from the
 * feed before their next search. The person row and the history stay for the citizen until they close the
 * account.
 */
export class Erasure {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly matcher: Matcher,
    private readonly personKeys: PersonKeys,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async erase(
    ctx: CallContext,
    person: PersonRow,
    action: 'person.delete' | 'biometrics.erase',
  ): Promise<{ templatesErased: number; grantsRevoked: number }> {
    const result = await this.db.transaction().execute(async (tx) => {
      const at = isoNow(this.clock);
      const ids = await templatesRepository.deleteOf(tx, person.id);
      await templateEventsRepository.append(
        tx,
        ids.map((id) => ({
          kind: 'removed' as const,
          template_id: id,
          person_id: person.id,
          segment_id: person.segment_id,
          at,
        })),
      );
      const keyShredded = await this.personKeys.shred(tx, person.id);
      const grantsRevoked = await consentRepository.revokeAllOf(tx, person.id, at, `erasure:${ctx.principal.id}`);
      await personsRepository.markDeleted(tx, person.id, at);
      await this.audit.record(tx, ctx, {
        action,
        result: action === 'person.delete' ? 'deleted' : 'erased',
        segmentId: person.segment_id,
        personId: person.id,
        detail: { templatesErased: ids.length, keyShredded, grantsRevoked },
      });
      return { templatesErased: ids.length, grantsRevoked };
    });
    this.matcher.removePerson(person.id);
    return result;
  }
}
