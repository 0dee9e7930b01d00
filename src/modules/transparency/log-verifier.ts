import type { Tx } from '../../db/executor.js';
import { auditLeafBytes, personRef } from './audit-leaf.js';
import { MerkleTree, leafHash, verifyConsistency } from './merkle.js';
import { verifyTreeHead, type SignedTreeHead } from './tree-head.js';
import type { SigningKey, SystemKeys } from '../keys/system-keys.js';
import type { AuditRow, TransparencyRepository, TreeHeadRow } from './transparency.repository.js';
import { LOG_SIGNING_KEY, PERSON_REF_KEY } from './transparency.service.js';

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
 * Checks the whole transparency log as stored, in one read snapshot: recomputes every leaf from its audit
 * record and compares it with the stored leaf hash, checks each person reference against HMAC(person id),
 * rebuilds the tree, and checks every signed head (signature, consistency with the previous head through the
 * RFC 9162 verifier, root equal to the recomputed root at its size). Stops at the first tampered entry in log
 * order (leaves, with each head checked once the leaves it covers are). Read-only: creates no key.
 */
export async function verifyLog(repo: TransparencyRepository, systemKeys: SystemKeys): Promise<LogVerification> {
  // The keys first, outside the snapshot: SQLite has one connection, which the snapshot holds.
  let keys: Keys;
  try {
    keys = {
      refKey: await systemKeys.existingSecret(PERSON_REF_KEY),
      signer: await systemKeys.existingSigningKey(LOG_SIGNING_KEY),
    };
  } catch (e) {
    const tampered: TamperedEntry = { kind: 'log', reason: `system keys: ${(e as Error).message}` };
    return { ok: false, leaves: 0, heads: 0, pending: await repo.countPending(), latest: null, tampered };
  }
  return repo.inSnapshot((tx) => new Verification(repo, tx, keys).run());
}

interface Keys {
  readonly refKey: Buffer | undefined;
  readonly signer: SigningKey | undefined;
}

class Verification {
  private readonly tree = new MerkleTree();
  private heads = 0;
  private previous: SignedTreeHead | null = null;
  private headPage: TreeHeadRow[] = [];
  private headCursor = Number.MIN_SAFE_INTEGER;
  private readonly refKey: Buffer | undefined;
  private readonly signer: SigningKey | undefined;

  constructor(
    private readonly repo: TransparencyRepository,
    private readonly snapshot: Tx,
    keys: Keys,
  ) {
    this.refKey = keys.refKey;
    this.signer = keys.signer;
  }

  async run(): Promise<LogVerification> {
    const pending = await this.repo.countPending(this.snapshot);
    try {
      await this.checkLeavesAndHeads();
      await this.checkLog();
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

  /** The leaf's recomputed hash, after checking it against the stored one and its person reference. */
  private checkLeaf(row: AuditRow): Buffer {
    const fail = (reason: string) =>
      new Tampered({ kind: 'leaf', leafIndex: row.leaf_index, auditEventId: row.id, reason });
    if (row.person_id !== null) {
      if (!this.refKey) throw fail(`names a person, but the ${PERSON_REF_KEY} secret does not exist`);
      if (row.person_ref !== personRef(this.refKey, row.person_id)) {
        throw fail('person_ref is not HMAC-SHA256(audit-person-ref, person_id): person_id or person_ref was changed');
      }
    }
    let hash: Buffer;
    try {
      hash = leafHash(auditLeafBytes(row));
    } catch (e) {
      throw fail(`the record cannot be made into a leaf: ${(e as Error).message}`);
    }
    if (row.leaf_hash !== hash.toString('hex')) {
      throw fail('leaf_hash differs from the hash of the record: a column of the leaf, or leaf_hash, was changed');
    }
    return hash;
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
