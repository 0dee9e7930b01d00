import type { Tx } from '../../db/executor.js';
import { AUDIT_ROW_MAC_KEY } from '../audit/audit.service.js';
import { MerkleTree, leafHash, verifyConsistency } from './merkle.js';
import { verifyTreeHead, type SignedTreeHead } from './tree-head.js';
import type { SigningKey, SystemKeys } from '../keys/system-keys.js';
import type { AuditRow, TransparencyRepository, TreeHeadRow } from './transparency.repository.js';
import { ENTRY_SALT_KEY, LOG_SIGNING_KEY, PERSON_REF_KEY, rowLeaf, type LeafKeys } from './transparency.service.js';
import type { WitnessedHead } from './witness.js';

/** The first thing found wrong, in log order: a leaf (and its audit record), a signed head, or the log itself. */
export type TamperedEntry =
  | {
      readonly kind: 'leaf';
      readonly leafIndex: number | null;
      readonly auditEventId: string | null;
      readonly reason: string;
    }
  | { readonly kind: 'head'; readonly treeSize: number; readonly reason: string }
  | { readonly kind: 'log'; readonly reason: string };

export interface LogVerification {
  readonly ok: boolean;
  /** Leaves and heads checked (up to the tampered entry, if any). */
  readonly leaves: number;
  readonly heads: number;
  /** Audit records not yet integrated: not part of the log yet, so not judged. */
  readonly pending: number;
  readonly latest: SignedTreeHead | null;
  readonly tampered?: TamperedEntry;
}

const PAGE = 1000;
const HEX_HASH = /^[0-9a-f]{64}$/;

class Tampered extends Error {
  constructor(readonly entry: TamperedEntry) {
    super(entry.reason);
  }
}

/**
 * Checks the whole transparency log as stored, in one read snapshot: checks each row's MAC (version 2) and
 * recomputes every leaf from its audit record and compares it with the stored leaf hash, checks each version 1
 * person reference against HMAC(person id), rebuilds the tree, and checks every signed head (signature,
 * consistency with the previous head through the RFC 9162 verifier, root equal to the recomputed root at its
 * size). Then: rows integration refused, waiting rows whose MAC fails, and every head the witness saw (the
 * store must still hold each). Stops at the first tampered entry in log order (leaves, with each head checked
 * once the leaves it covers are). Read-only: creates no key.
 */
export async function verifyLog(
  repo: TransparencyRepository,
  systemKeys: SystemKeys,
  witnessed: readonly WitnessedHead[] = [],
): Promise<LogVerification> {
  // The keys first, outside the snapshot: SQLite has one connection, which the snapshot holds.
  let keys: Keys;
  try {
    keys = {
      refKey: await systemKeys.existingSecret(PERSON_REF_KEY),
      saltKey: await systemKeys.existingSecret(ENTRY_SALT_KEY),
      macKey: await systemKeys.existingSecret(AUDIT_ROW_MAC_KEY),
      signer: await systemKeys.existingSigningKey(LOG_SIGNING_KEY),
      witnessed,
    };
  } catch (e) {
    const tampered: TamperedEntry = { kind: 'log', reason: `system keys: ${(e as Error).message}` };
    return { ok: false, leaves: 0, heads: 0, pending: await repo.countPending(), latest: null, tampered };
  }
  return repo.inSnapshot((tx) => new Verification(repo, tx, keys).run());
}

interface Keys {
  readonly refKey: Buffer | undefined;
  readonly saltKey: Buffer | undefined;
  readonly macKey: Buffer | undefined;
  readonly signer: SigningKey | undefined;
  readonly witnessed: readonly WitnessedHead[];
}

class Verification {
  private readonly tree = new MerkleTree();
  private heads = 0;
  private previous: SignedTreeHead | null = null;
  private headPage: TreeHeadRow[] = [];
  private headCursor = Number.MIN_SAFE_INTEGER;
  private readonly signer: SigningKey | undefined;
  private macFromSeq = 0;

  constructor(
    private readonly repo: TransparencyRepository,
    private readonly snapshot: Tx,
    private readonly keys: Keys,
  ) {
    this.signer = keys.signer;
  }

  async run(): Promise<LogVerification> {
    const pending = await this.repo.countPending(this.snapshot);
    this.macFromSeq = await this.repo.macFromSeq(this.snapshot);
    try {
      await this.checkLeavesAndHeads();
      await this.checkLog();
      await this.checkUnintegrated();
      await this.checkWitness();
      return { ok: true, leaves: this.tree.size, heads: this.heads, pending, latest: this.previous };
    } catch (e) {
      if (!(e instanceof Tampered)) throw e;
      return {
        ok: false,
        leaves: this.tree.size,
        heads: this.heads,
        pending,
        latest: this.previous,
        tampered: e.entry,
      };
    }
  }

  private async checkLeavesAndHeads(): Promise<void> {
    await this.checkHeadsUpTo(0);
    for (;;) {
      const rows = await this.repo.leavesFrom(this.tree.size, PAGE, this.snapshot);
      for (const row of rows) {
        if (row.leaf_index !== this.tree.size) {
          throw new Tampered({
            kind: 'leaf',
            leafIndex: this.tree.size,
            auditEventId: null,
            reason: 'missing: no audit record holds this leaf index',
          });
        }
        this.tree.append(this.checkLeaf(row));
        await this.checkHeadsUpTo(this.tree.size);
      }
      if (rows.length < PAGE) break;
    }
    // Heads claiming more leaves than there are.
    for (let head = await this.nextHead(); head; head = await this.nextHead()) {
      this.checkHead(head, `claims ${head.tree_size} leaves, but the log holds ${this.tree.size}`);
    }
  }

  /** The leaf's recomputed hash, after checking the row's MAC (or person reference) and its stored hash. */
  private checkLeaf(row: AuditRow): Buffer {
    const fail = (reason: string) =>
      new Tampered({ kind: 'leaf', leafIndex: row.leaf_index, auditEventId: row.id, reason });
    const leaf = this.leafOf(row, fail);
    if ('refusal' in leaf) throw fail(`${leaf.refusal}: person_id or another column was changed`);
    if (leaf.version !== row.leaf_version) {
      throw fail(`leaf_version says ${row.leaf_version}, but the row makes a version ${leaf.version} leaf`);
    }
    if (leaf.version === 1 && row.person_ref !== leaf.personRef) {
      throw fail('person_ref is not HMAC-SHA256(audit-person-ref, person_id): person_id or person_ref was changed');
    }
    const hash = leafHash(Buffer.from(leaf.text, 'utf8'));
    if (row.leaf_hash !== hash.toString('hex')) {
      throw fail('leaf_hash differs from the hash of the record: a column of the leaf, or leaf_hash, was changed');
    }
    return hash;
  }

  private leafOf(row: AuditRow, fail: (reason: string) => Tampered) {
    const { refKey, saltKey, macKey } = this.keys;
    const missing = (
      [
        [PERSON_REF_KEY, refKey],
        [ENTRY_SALT_KEY, saltKey],
        [AUDIT_ROW_MAC_KEY, macKey],
      ] as const
    ).find(([, key]) => key === undefined)?.[0];
    if (missing || !refKey || !saltKey || !macKey) {
      throw fail(`cannot be checked: the ${missing ?? 'needed'} secret does not exist`);
    }
    const keys: LeafKeys = { refKey, saltKey, macKey };
    try {
      return rowLeaf(row, keys, this.macFromSeq);
    } catch (e) {
      throw fail(`the record cannot be made into a leaf: ${(e as Error).message}`);
    }
  }

  /** Rows outside the log: those integration refused, and waiting ones it will refuse (no valid MAC). */
  private async checkUnintegrated(): Promise<void> {
    const [refused] = await this.repo.refused(1, this.snapshot);
    if (refused) {
      throw new Tampered({
        kind: 'leaf',
        leafIndex: null,
        auditEventId: refused.id,
        reason: `refused by integration, never in the log: ${refused.refusal}`,
      });
    }
    for (let after = 0; ;) {
      const rows = await this.repo.pending(PAGE, this.snapshot, after);
      for (const row of rows) {
        const fail = (reason: string) => new Tampered({ kind: 'leaf', leafIndex: null, auditEventId: row.id, reason });
        const leaf = this.leafOf(row, fail);
        if ('refusal' in leaf) throw fail(`waiting for integration, which will refuse it: ${leaf.refusal}`);
      }
      if (rows.length < PAGE) return;
      after = rows.at(-1)!.seq;
    }
  }

  /** Every head the witness saw must still be in the store (which the checks above verified). */
  private async checkWitness(): Promise<void> {
    for (const seen of this.keys.witnessed) {
      if (seen.treeSize === 0) continue; // an adopted empty log
      const stored = await this.repo.head(seen.treeSize, this.snapshot);
      if (!stored || stored.root_hash !== seen.rootHash) {
        throw new Tampered({
          kind: 'log',
          reason:
            `the witness saw a signed head of size ${seen.treeSize} (root ${seen.rootHash}) that the store ` +
            `${stored ? 'holds with another root' : 'does not hold'}: the log was truncated or rewritten, or an ` +
            'older store restored (`oblik audit adopt` accepts it as it is)',
        });
      }
    }
  }

  private async checkHeadsUpTo(size: number): Promise<void> {
    for (let head = await this.peekHead(); head && head.tree_size <= size; head = await this.peekHead()) {
      await this.nextHead();
      this.checkHead(head);
    }
  }

  private checkHead(row: TreeHeadRow, otherwise?: string): void {
    const head: SignedTreeHead = {
      treeSize: Number(row.tree_size),
      rootHash: row.root_hash,
      timestamp: Number(row.timestamp),
      signature: row.signature,
      keyId: row.key_id,
    };
    const fail = (reason: string) => new Tampered({ kind: 'head', treeSize: head.treeSize, reason });
    if (!this.signer) throw fail(`the ${LOG_SIGNING_KEY} signing key does not exist`);
    if (!verifyTreeHead(head, this.signer.publicKey)) {
      throw fail('the signature does not verify: tree_size, timestamp, root_hash, signature or key_id was changed');
    }
    if (otherwise) throw fail(otherwise);
    const previous = this.previous;
    if (previous) {
      const proof = this.tree.consistencyProof(previous.treeSize, head.treeSize);
      const consistent = verifyConsistency(
        previous.treeSize,
        head.treeSize,
        Buffer.from(previous.rootHash, 'hex'),
        Buffer.from(head.rootHash, 'hex'),
        proof,
      );
      if (!consistent) throw fail(`not consistent with the signed head of size ${previous.treeSize}`);
      if (head.timestamp < previous.timestamp) throw fail(`signed before the head of size ${previous.treeSize}`);
    }
    if (!HEX_HASH.test(head.rootHash) || head.rootHash !== this.tree.root(head.treeSize).toString('hex')) {
      throw fail('root_hash differs from the root recomputed from the leaves');
    }
    this.previous = head;
    this.heads++;
  }

  /** What the log says of itself: its size, and that its latest head covers every leaf. */
  private async checkLog(): Promise<void> {
    const size = this.tree.size;
    const latest = this.previous?.treeSize ?? 0;
    if (latest < size) {
      const [row] = await this.repo.leaves(latest, 1, this.snapshot);
      throw new Tampered({
        kind: 'leaf',
        leafIndex: latest,
        auditEventId: row?.id ?? null,
        reason: `not covered by any signed tree head (the latest covers ${latest} leaves)`,
      });
    }
    const [stray] = await this.repo.unindexedWithHash(1, this.snapshot);
    if (stray) {
      throw new Tampered({
        kind: 'leaf',
        leafIndex: null,
        auditEventId: stray.id,
        reason: 'has a leaf hash but no leaf index: leaf_index was cleared',
      });
    }
    const stated = await this.repo.size(this.snapshot);
    if (stated !== size) {
      throw new Tampered({ kind: 'log', reason: `log_state says ${stated} leaves, but the log holds ${size}` });
    }
  }

  private async peekHead(): Promise<TreeHeadRow | undefined> {
    if (this.headPage.length === 0) {
      this.headPage = await this.repo.headsAfter(this.headCursor, PAGE, this.snapshot);
      const last = this.headPage.at(-1);
      if (last) this.headCursor = Number(last.tree_size);
    }
    return this.headPage[0];
  }

  private async nextHead(): Promise<TreeHeadRow | undefined> {
    const head = await this.peekHead();
    this.headPage.shift();
    return head;
  }
}
