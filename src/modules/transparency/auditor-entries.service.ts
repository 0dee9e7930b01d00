import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { FullEntry, TransparencyLog } from './transparency.service.js';

/**
 * An auditor's reading of the log's full entries (issue 9, point 1): the public sees only commitments, an
 * auditor holding an audit credential sees what each commits to, and every such read is itself audited.
 */
export class AuditorEntries {
  constructor(
    private readonly log: TransparencyLog,
    private readonly access: AccessService,
    private readonly audit: Pick<AuditService, 'recordAlone'>,
  ) {}

  /** Integrated entries [from, from + limit); the read is recorded before anything is returned. */
  async read(ctx: CallContext, from: number, limit: number): Promise<{ treeSize: number; entries: FullEntry[] }> {
    await this.access.authoriseEntriesRead(ctx);
    const page = await this.log.fullEntries(from, limit);
    await this.audit.recordAlone(ctx, {
      action: 'transparency.entries_read',
      result: 'read',
      detail: { from, limit, count: page.entries.length, treeSize: page.treeSize },
    });
    return page;
  }
}
