import type { AuthorisedSubject } from '../access/access.service.js';
import type { SignedTreeHead } from '../transparency/tree-head.js';
import { scoreBand } from './score-band.js';
import type { UsageFilter, UsageRepository } from './usage.repository.js';
import type { EntryOpening, Openable } from '../transparency/transparency.service.js';

export type { SignedTreeHead };

/** What the usage history needs of the transparency log. */
export interface LogReader {
  /** Integrates what is waiting, then the latest signed head. */
  latestHead(): Promise<SignedTreeHead | undefined>;
  inclusionProofs(
    leafIndexes: readonly number[],
    treeSize: number,
  ): Promise<readonly { readonly leafIndex: number; readonly auditPath: readonly string[] }[]>;
  /** What the citizen needs to recompute each record's leaf: the entry and its salt (see audit-leaf.ts). */
  openings(rows: readonly Openable[]): Promise<Map<string, EntryOpening>>;
}

/**
 * A person's usage history: every use of their biometrics and every change to their consent, with who, when,
 * for what purpose, with what result and how strong a match, each with its leaf in the transparency log and
 * an inclusion proof against the latest signed tree head, so the citizen can check that what they are shown is
 * what the published log holds.
 */
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly log: LogReader,
    private readonly matchThreshold: number,
  ) {}

  /** Only for a subject the one authorisation step admitted (no bare id reaches a person's history). */
  async history(subject: AuthorisedSubject, filter: UsageFilter, limit: number, withProofs = true) {
    const personId = subject.person.id;
    // The head is taken after integrating, so every record committed before this call has its leaf.
    const head = await this.log.latestHead();
    const rows = await this.usage.page(personId, filter, limit + 1);
    const page = rows.slice(0, limit);
    const provable =
      head && withProofs
        ? page.flatMap((r) => (r.leaf_index !== null && r.leaf_index < head.treeSize ? [r.leaf_index] : []))
        : [];
    // One proof request for the page: the log is checked once, not once per item.
    const paths = new Map<number, string[]>();
    if (head && provable.length > 0) {
      for (const p of await this.log.inclusionProofs(provable, head.treeSize)) paths.set(p.leafIndex, [...p.auditPath]);
    }
    const openings = await this.log.openings(page);
    const items = page.map((r) => {
      const auditPath = r.leaf_index === null ? undefined : paths.get(r.leaf_index);
      return {
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
        ...(openings.get(r.id) ?? { leafVersion: r.leaf_version, entry: null, salt: null }),
        inclusionProof: auditPath && head ? { treeSize: head.treeSize, auditPath } : null,
      };
    });
    const next = rows.length > limit ? page.at(-1)?.seq : undefined;
    return { items, treeHead: head ?? null, next: next === undefined ? null : String(next) };
  }
}
