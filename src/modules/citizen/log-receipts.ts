import type { Repositories } from '../../repositories.js';
import type { LogReader } from './usage.service.js';

/** A citizen's receipt for a change to their consent: what was done and where the log holds it. */
export interface LogReceipt {
  readonly kind: string;
  readonly auditEventId: string;
  readonly at: string;
  readonly leafIndex: number | null;
  readonly leafHash: string | null;
  /** The signed tree size the entry is first included in (null if the log has not integrated it yet). */
  readonly treeSize: number | null;
}

/** Receipts that reference the transparency-log entry of an audited action. */
export class LogReceipts {
  constructor(
    private readonly audit: Repositories['audit'],
    private readonly log: LogReader,
  ) {}

  async of(auditEventId: string, kind: string): Promise<LogReceipt> {
    // Integrates first: the record committed before this call has its leaf by the time the row is read.
    const head = await this.log.latestHead();
    const row = await this.audit.placeOf(auditEventId);
    if (!row) throw new Error(`audit record ${auditEventId} is missing right after it committed`);
    const included = head !== undefined && row.leaf_index !== null && row.leaf_index < head.treeSize;
    return {
      kind,
      auditEventId,
      at: row.at,
      leafIndex: row.leaf_index,
      leafHash: row.leaf_hash,
      treeSize: included ? head.treeSize : null,
    };
  }
}
