import type { Transactor } from '../../db/executor.js';
import type { Matcher } from '../../matcher/matcher.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Repositories } from '../../repositories.js';
import type { PersonKeys } from '../templates/person-keys.js';
import type { PersonRow } from './persons.repository.js';

/**
 * Erasure of a person's biometrics, by the citizen or by an operator on their behalf. In one transaction: the
 * templates go (and into the change feed, so every instance's matcher drops them), the person's key is
 * destroyed (so any other copy of the sealed templates is useless), every grant is revoked, the keyed hash of
 * their identity document is dropped, and the erasure is audited. This instance's matcher forgets the templates
 * before the caller answers; the others follow from the feed before their next search. The person row and the
 * history stay for the citizen until they close the account.
 *
 * The person's status is checked and changed by the transaction's first statement (a conditional update, which
 * takes the row on PostgreSQL; SQLite serialises writers), so of two concurrent erasures one erases and the other
 * finds the person already erased, writes nothing and resolves to `undefined`.
 */
export class Erasure {
  constructor(
    private readonly repos: Pick<
      Repositories,
      'templates' | 'templateEvents' | 'consent' | 'persons' | 'identityDocuments'
    >,
    private readonly transactions: Transactor,
    private readonly matcher: Matcher,
    private readonly personKeys: PersonKeys,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async erase(
    ctx: CallContext,
    person: PersonRow,
    action: 'person.delete' | 'biometrics.erase',
  ): Promise<{ templatesErased: number; grantsRevoked: number } | undefined> {
    const result = await this.transactions.transaction(async (tx) => {
      const at = isoNow(this.clock);
      if (!(await this.repos.persons.markDeleted(tx, person.id, at))) return undefined;
      const ids = await this.repos.templates.deleteOf(tx, person.id);
      await this.repos.templateEvents.append(
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
      const grantsRevoked = await this.repos.consent.revokeAllOf(tx, person.id, at, `erasure:${ctx.principal.id}`);
      // The keyed hash of their document goes with the face it was bound to.
      await this.repos.identityDocuments.deleteOf(tx, person.id);
      await this.audit.record(tx, ctx, {
        action,
        result: action === 'person.delete' ? 'deleted' : 'erased',
        segmentId: person.segment_id,
        personId: person.id,
        detail: { templatesErased: ids.length, keyShredded, grantsRevoked },
      });
      return { templatesErased: ids.length, grantsRevoked };
    });
    if (result) this.matcher.removePerson(person.id);
    return result;
  }
}
