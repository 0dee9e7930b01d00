import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditRepository } from './audit.repository.js';
import { toAuditEvent } from './audit.service.js';

/** The audit trail as administrators read it (a refused reading is itself on record, through AccessService). */
export class AuditReader {
  constructor(
    private readonly events: Pick<AuditRepository, 'list'>,
    private readonly access: Pick<AccessService, 'authoriseAdministrator'>,
  ) {}

  async list(
    ctx: CallContext,
    filter: { personId?: string; actorId?: string; action?: string; afterSeq?: number },
    limit: number,
  ) {
    await this.access.authoriseAdministrator(ctx, 'audit.read');
    return (await this.events.list(filter, limit)).map(toAuditEvent);
  }
}
