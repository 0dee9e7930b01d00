import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SignedTreeHead } from '../../transparency/tree-head.js';
import { scoreBand } from './score-band.js';
import { usageRepository, type UsageFilter } from './usage.repository.js';

export type { SignedTreeHead };

/** What the usage history needs of the transparency log. */
export interface LogReader {
  integrate(): Promise<unknown>;
  latestHead(): Promise<SignedTreeHead | undefined>;
  inclusionProof(leafIndex: number, treeSize: number): Promise<{ readonly auditPath: readonly string[] }>;
}

/**
 * A person's usage history: every use of their biometrics and every change to their consent, with who, when,
 * for what purpose, with what result and how strong a match, each with its leaf in the transparency log and
 * an inclusion proof against the latest signed tree head, so the citizen can check that what they are shown is
 * what the published log holds.
 */
export class UsageService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: LogReader,
    private readonly matchThreshold: number,
  ) {}

  async history(personId: string, filter: UsageFilter, limit: number, withProofs = true) {
    await this.log.integrate();
    const head = await this.log.latestHead();
    const rows = await usageRepository.page(this.db, personId, filter, limit + 1);
    const page = rows.slice(0, limit);
    const items = [];
    for (const r of page) {
      const proven = withProofs && head && r.leaf_index !== null && r.leaf_index < head.treeSize;
      items.push({
        id: r.id,
        at: r.at,
        action: r.action,
        result: r.result,
        actor: { id: r.actor_id, role: r.actor_role, name: r.actor_name ?? null },
        relyingPartyId: r.actor_role === 'relying_party' ? r.actor_id : null,
        purpose: r.purpose,
        segment: r.segment_id,
        scoreBand: scoreBand(r.score, this.matchThreshold),
        detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
        leafIndex: r.leaf_index,
        leafHash: r.leaf_hash,
        inclusionProof: proven
          ? {
              treeSize: head.treeSize,
              auditPath: [...(await this.log.inclusionProof(r.leaf_index!, head.treeSize)).auditPath],
            }
          : null,
      });
    }
    const next = rows.length > limit ? page.at(-1)?.seq : undefined;
    return { items, treeHead: head ?? null, next: next === undefined ? null : String(next) };
  }
}
