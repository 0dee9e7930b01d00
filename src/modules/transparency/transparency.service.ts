import type { Executor, Transactor } from '../../db/executor.js';
import { assertThat, AppError } from '../../errors/app-error.js';
import type { Clock } from '../../ports/clock.js';
import { timingSafeEqual } from 'node:crypto';
import { AUDIT_ROW_MAC_KEY } from '../audit/audit.service.js';
import {
  auditEntry,
  auditLeaf,
  auditRowMac,
  commitmentLeaf,
  entrySalt,
  personRef,
  type AuditEntryFields,
} from './audit-leaf.js';
import type { LogWitness } from './witness.js';
import { leafHash, MerkleTree } from './merkle.js';
import { signTreeHead, type SignedTreeHead } from './tree-head.js';
import type { SigningKey, SystemKeys } from '../keys/system-keys.js';
import type { AuditRow, LeafAssignment, TransparencyRepository, TreeHeadRow } from './transparency.repository.js';

/** The system key names the log uses: the person-reference secret and the tree-head signer. */
export const PERSON_REF_KEY = 'audit-person-ref';
export const LOG_SIGNING_KEY = 'transparency-log';
/** The secret entry salts derive from (version 2 leaves): never stored per entry, never published. */
export const ENTRY_SALT_KEY = 'audit-entry-salt';

const PAGE = 1000;
/** Leaves per transaction (and per signed head) while a backlog drains: bounds how long the lock is held. */
const MAX_LEAVES_PER_HEAD = 10_000;
const HEX_HASH = /^[0-9a-f]{64}$/;

export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly auditPath: string[];
}

export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly proof: string[];
}

export interface PublishedKey {
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  /** The 32 raw bytes, standard base64. */
  readonly publicKey: string;
  readonly publicKeyPem: string;
}

export interface PublishedLeaf {
  readonly leafIndex: number;
  readonly leafHash: string;
  readonly v: number;
  /**
   * The leaf's bytes as UTF-8 text (format: src/modules/transparency/audit-leaf.ts): a version 2 leaf holds only
   * a salted commitment; a version 1 leaf (the whole record) is no longer published (null).
   */
  readonly leaf: string | null;
}

/** An integrated entry in full, as an auditor reads it: recompute its leaf and compare with the public one. */
export interface FullEntry {
  readonly leafIndex: number;
  readonly leafVersion: number;
  /** Version 2: the canonical entry text the commitment covers; version 1: the leaf's own text. */
  readonly entry: string;
  /** Version 2: the entry's salt (hex); version 1: null (the leaf is the entry). */
  readonly salt: string | null;
}

/** The columns a citizen's entry opens from (a row of their usage history). */
export type Openable = AuditEntryFields & Pick<AuditRow, 'person_ref' | 'mac' | 'leaf_version'>;

/** An entry as its citizen receives it, to recompute its leaf and check it is in the published log. */
export interface EntryOpening {
  readonly leafVersion: number | null;
  readonly entry: string | null;
  readonly salt: string | null;
}

/** What the log's keys make of a stored row: its leaf text and version, or why it may not join the log. */
export type RowLeaf =
  { readonly version: 1 | 2; readonly text: string; readonly personRef: string | null } | { readonly refusal: string };

export interface LeafKeys {
  readonly refKey: Buffer;
  readonly saltKey: Buffer;
  readonly macKey: Buffer;
}

/**
 * The leaf a row makes. Rows written before row MACs existed (sequence up to `macFromSeq`, no MAC) make the
 * version 1 leaf they always would have; every other row must carry a valid MAC and makes a version 2 leaf.
 */
export function rowLeaf(row: AuditRow, keys: LeafKeys, macFromSeq: number): RowLeaf {
  if (row.mac === null && row.seq <= macFromSeq) {
    const ref = row.person_id === null ? null : personRef(keys.refKey, row.person_id);
    return { version: 1, text: auditLeaf({ ...row, person_ref: ref }), personRef: ref };
  }
  let expected: string;
  try {
    expected = auditRowMac(keys.macKey, row);
  } catch (e) {
    return { refusal: `the record cannot be made into an entry: ${(e as Error).message}` };
  }
  if (row.mac === null) return { refusal: 'unauthenticated: the row carries no MAC (not written by the registry)' };
  if (!/^[0-9a-f]{64}$/.test(row.mac) || !timingSafeEqual(Buffer.from(row.mac, 'hex'), Buffer.from(expected, 'hex'))) {
    return { refusal: `unauthenticated: the row's MAC is not HMAC(${AUDIT_ROW_MAC_KEY}) of its content` };
  }
  return { version: 2, text: commitmentLeaf(auditEntry(row), entrySalt(keys.saltKey, row.id)), personRef: null };
}

/**
 * The transparency log over the audit trail. Records commit with their effects and join the log later, when
 * an instance integrates them: under an in-process lock and the store's log lock, it gives each waiting record
 * (in insertion order) its person reference, leaf hash and index, appends it to the Merkle tree, and signs a
 * new tree head, all in one transaction. Each instance keeps the tree in memory (about 64 bytes per leaf),
 * follows what other instances integrate, and answers proofs from it.
 */
export class TransparencyLog {
  private readonly tree = new MerkleTree();
  /** Every change to the in-memory tree runs here, one at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<number> | undefined;

  constructor(
    private readonly repo: TransparencyRepository,
    private readonly transactions: Transactor,
    private readonly systemKeys: SystemKeys,
    private readonly clock: Clock,
    private readonly witness: LogWitness,
  ) {}

  /**
   * Refuses to go on when the store's log is behind (or differs from) the latest head the witness saw this
   * deployment sign: rows and heads were deleted, or an older store was restored. `oblik audit adopt` accepts
   * the store as it is.
   */
  async assertNotBehindWitness(): Promise<void> {
    const seen = await this.witness.latest();
    if (!seen || seen.treeSize === 0) return;
    const stored = await this.repo.head(seen.treeSize);
    const size = await this.repo.size();
    if (!stored || stored.root_hash !== seen.rootHash || size < seen.treeSize) {
      throw new Error(
        `the transparency log in the store (${size} leaves) is behind or differs from the last tree head this ` +
          `deployment signed (size ${seen.treeSize}, root ${seen.rootHash}, witnessed in ${this.witness.file}): ` +
          'records were deleted or an older store was restored. Run `oblik audit verify` to see what differs; ' +
          '`oblik audit adopt` accepts the store as it is (audited)',
      );
    }
  }

  /**
   * Integrates every record committed before the call; resolves to how many leaves this run added (0 when
   * there was nothing to do, or another instance did it). Concurrent callers share a run that starts after
   * their call.
   */
  integrate(): Promise<number> {
    this.queued ??= this.exclusive(() => {
      this.queued = undefined;
      return this.integrateNow();
    });
    return this.queued;
  }

  /** The latest signed tree head after integrating what is waiting; undefined while the log is empty. */
  async latestHead(): Promise<SignedTreeHead | undefined> {
    await this.integrate();
    const row = await this.repo.latestHead();
    return row ? toHead(row) : undefined;
  }

  /** The latest signed tree head, or `transparency.head_not_found` while the log is empty. */
  async currentHead(): Promise<SignedTreeHead> {
    const head = await this.latestHead();
    if (!head) throw new AppError('transparency.head_not_found', 'the log has no signed tree head yet');
    return head;
  }

  /** The signed head stored for `treeSize` (every integration signs one). */
  async treeHead(treeSize: number): Promise<SignedTreeHead> {
    await this.integrate();
    const row = await this.repo.head(treeSize);
    if (!row)
      throw new AppError('transparency.head_not_found', `no signed tree head of size ${treeSize}`, { treeSize });
    return toHead(row);
  }

  /** The audit path of leaf `leafIndex` in the tree of `treeSize` leaves (default: the latest head's). */
  async inclusionProof(leafIndex: number, treeSize?: number): Promise<InclusionProof> {
    const [proof] = await this.inclusionProofs([leafIndex], treeSize);
    return proof!;
  }

  /**
   * Audit paths of several leaves in the tree of `treeSize` leaves (default: the latest head's), checking the
   * log once (for a page of a citizen's usage history).
   */
  async inclusionProofs(leafIndexes: readonly number[], treeSize?: number): Promise<InclusionProof[]> {
    const latest = (await this.currentHead()).treeSize;
    const size = treeSize ?? latest;
    assertThat(size >= 1 && size <= latest, 'transparency.out_of_range', `treeSize must be 1..${latest}`, {
      treeSize: size,
      latest,
    });
    const bad = leafIndexes.find((i) => !(i >= 0 && i < size));
    assertThat(bad === undefined, 'transparency.out_of_range', `leafIndex must be 0..${size - 1}`, {
      leafIndex: bad,
      treeSize: size,
    });
    await this.follow(size);
    return leafIndexes.map((leafIndex) => ({
      leafIndex,
      treeSize: size,
      leafHash: this.tree.leafHash(leafIndex).toString('hex'),
      auditPath: this.tree.inclusionProof(leafIndex, size).map(hex),
    }));
  }

  /** The consistency proof from the tree of `from` leaves to that of `to` (default: the latest head's). */
  async consistencyProof(from: number, to?: number): Promise<ConsistencyProof> {
    const latest = (await this.currentHead()).treeSize;
    const size = to ?? latest;
    assertThat(size >= 1 && size <= latest, 'transparency.out_of_range', `to must be 1..${latest}`, {
      to: size,
      latest,
    });
    assertThat(from >= 1 && from <= size, 'transparency.out_of_range', `from must be 1..${size}`, { from, to: size });
    await this.follow(size);
    return { from, to: size, proof: this.tree.consistencyProof(from, size).map(hex) };
  }

  /** Leaves [start, end) as published (`end` is clipped to the latest head; at most 1000 at once). */
  async leaves(start: number, end: number): Promise<PublishedLeaf[]> {
    const latest = (await this.currentHead()).treeSize;
    assertThat(start >= 0 && start < latest, 'transparency.out_of_range', `start must be 0..${latest - 1}`, {
      start,
      latest,
    });
    assertThat(end > start && end - start <= PAGE, 'transparency.out_of_range', 'end must be start+1..start+1000', {
      start,
      end,
    });
    const rows = await this.repo.leaves(start, Math.min(end, latest) - start);
    const saltKey = await this.systemKeys.secret(ENTRY_SALT_KEY);
    return rows.map((row) => ({
      leafIndex: row.leaf_index!,
      leafHash: row.leaf_hash!,
      v: row.leaf_version ?? 1,
      // A version 1 leaf is the record itself (ids, request ids, a linkable personRef): no longer published.
      leaf: row.leaf_version === 2 ? commitmentLeaf(auditEntry(row), entrySalt(saltKey, row.id)) : null,
    }));
  }

  /**
   * Integrated entries [from, from + limit) in full (at most 1000; none past the latest head). No check of who
   * asks: only the auditors' service calls it, after authorising and auditing the read.
   */
  async fullEntries(from: number, limit: number): Promise<{ treeSize: number; entries: FullEntry[] }> {
    const treeSize = (await this.latestHead())?.treeSize ?? 0;
    const count = Math.min(limit, treeSize - from);
    if (count <= 0) return { treeSize, entries: [] };
    const rows = await this.repo.leaves(from, count);
    const saltKey = await this.systemKeys.secret(ENTRY_SALT_KEY);
    const entries = rows.map((row): FullEntry => {
      const leafIndex = row.leaf_index!;
      if (row.leaf_version === 2) {
        return { leafIndex, leafVersion: 2, entry: auditEntry(row), salt: entrySalt(saltKey, row.id).toString('hex') };
      }
      // A version 1 leaf is the record itself, with the person reference it was given at integration.
      return { leafIndex, leafVersion: 1, entry: auditLeaf(row), salt: null };
    });
    return { treeSize, entries };
  }

  /**
   * The openings of a citizen's own records: a version 2 entry with its salt (also for a record not yet
   * integrated), or a version 1 leaf's own text. Only for the records' own person, through their session.
   */
  async openings(rows: readonly Openable[]): Promise<Map<string, EntryOpening>> {
    const saltKey = await this.systemKeys.secret(ENTRY_SALT_KEY);
    const out = new Map<string, EntryOpening>();
    for (const row of rows) {
      if (row.leaf_version === 1) {
        out.set(row.id, { leafVersion: 1, entry: auditLeaf(row), salt: null });
      } else if (row.mac !== null) {
        out.set(row.id, {
          leafVersion: row.leaf_version,
          entry: auditEntry(row),
          salt: entrySalt(saltKey, row.id).toString('hex'),
        });
      }
    }
    return out;
  }

  /** The key(s) tree heads are signed with. */
  async keys(): Promise<PublishedKey[]> {
    const key = await this.systemKeys.signingKey(LOG_SIGNING_KEY);
    return [
      {
        keyId: key.keyId,
        algorithm: 'Ed25519',
        publicKey: key.publicKeyRaw.toString('base64'),
        publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      },
    ];
  }

  /**
   * Where given audit records sit in the log (after integrating what is waiting); a record not in the log (an
   * unknown id) is absent from the map. At most 1000 ids.
   */
  async leavesOf(eventIds: readonly string[]): Promise<Map<string, { leafIndex: number; leafHash: string }>> {
    await this.integrate();
    const rows = await this.repo.leavesOfEvents(eventIds);
    const found = new Map<string, { leafIndex: number; leafHash: string }>();
    for (const row of rows) {
      if (row.leaf_index !== null && row.leaf_hash !== null) {
        found.set(row.id, { leafIndex: row.leaf_index, leafHash: row.leaf_hash });
      }
    }
    return found;
  }

  private async integrateNow(): Promise<number> {
    if (!(await this.repo.hasPending())) return 0;
    const keys: LeafKeys = {
      refKey: await this.systemKeys.secret(PERSON_REF_KEY),
      saltKey: await this.systemKeys.secret(ENTRY_SALT_KEY),
      macKey: await this.systemKeys.secret(AUDIT_ROW_MAC_KEY),
    };
    const signer = await this.systemKeys.signingKey(LOG_SIGNING_KEY);
    const macFromSeq = await this.repo.macFromSeq();
    // Catch up outside the lock first: a fresh instance may have a long log to read.
    await this.syncTo(await this.repo.size());
    let total = 0;
    for (;;) {
      const { added, head } = await this.integrateBatch(keys, macFromSeq, signer);
      // Only once the head is committed: the witness never holds a head the store lacks.
      if (head) await this.witness.witness(head);
      total += added;
      if (added < MAX_LEAVES_PER_HEAD) return total;
    }
  }

  private async integrateBatch(
    keys: LeafKeys,
    macFromSeq: number,
    signer: SigningKey,
  ): Promise<{ added: number; head?: SignedTreeHead }> {
    const before = this.tree.size;
    try {
      return await this.transactions.transaction(async (tx) => {
        const size = await this.repo.lock(tx);
        await this.syncTo(size, tx);
        const previous = await this.repo.latestHead(tx);
        // Never extend a log whose stored leaves no longer match its own latest signed head.
        if (previous && (previous.tree_size !== size || previous.root_hash !== hex(this.tree.root(size)))) {
          throw new Error(`the stored log does not match its signed tree head of size ${previous.tree_size}`);
        }
        let next = size;
        while (next - size < MAX_LEAVES_PER_HEAD) {
          const rows = await this.repo.pending(Math.min(PAGE, MAX_LEAVES_PER_HEAD - (next - size)), tx);
          const assigned: LeafAssignment[] = [];
          for (const row of rows) {
            const leaf = rowLeaf(row, keys, macFromSeq);
            // A row the registry did not write (or that changed since) never joins the log: verify reports it.
            if ('refusal' in leaf) {
              await this.repo.refuse(tx, row.id, leaf.refusal);
              continue;
            }
            const hash = leafHash(Buffer.from(leaf.text, 'utf8'));
            this.tree.append(hash);
            assigned.push({
              id: row.id,
              leafVersion: leaf.version,
              personRef: leaf.personRef,
              leafHash: hex(hash),
              leafIndex: next++,
            });
          }
          await this.repo.assignLeaves(tx, assigned);
          if (rows.length < PAGE) break;
        }
        if (next === size) return { added: 0 };
        const head = signTreeHead(
          {
            treeSize: next,
            rootHash: hex(this.tree.root(next)),
            // Never before the previous head, even if this instance's clock is behind.
            timestamp: Math.max(this.clock.now().getTime(), previous?.timestamp ?? 0),
          },
          signer,
        );
        await this.repo.insertHead(tx, {
          tree_size: head.treeSize,
          root_hash: head.rootHash,
          timestamp: head.timestamp,
          signature: head.signature,
          key_id: head.keyId,
        });
        await this.repo.setSize(tx, next);
        return { added: next - size, head };
      });
    } catch (e) {
      // The appends of a rolled-back transaction never happened (leaves read from the store may go too).
      this.tree.truncate(Math.min(before, this.tree.size));
      throw e;
    }
  }

  /** Makes the in-memory tree hold at least `size` leaves, reading what other instances integrated. */
  private async follow(size: number): Promise<void> {
    if (this.tree.size >= size) return;
    await this.exclusive(() => this.syncTo(size));
  }

  private async syncTo(size: number, on?: Executor): Promise<void> {
    // The store went backwards (restored from a backup): start again from it.
    if (this.tree.size > size) this.tree.truncate(0);
    while (this.tree.size < size) {
      const rows = await this.repo.leafHashes(this.tree.size, Math.min(size, this.tree.size + 10 * PAGE), on);
      if (rows.length === 0) throw new Error(`transparency log: leaf ${this.tree.size} is missing from the store`);
      for (const row of rows) {
        if (row.leaf_index !== this.tree.size || row.leaf_hash === null || !HEX_HASH.test(row.leaf_hash)) {
          throw new Error(`transparency log: leaf ${this.tree.size} is missing or malformed in the store`);
        }
        this.tree.append(Buffer.from(row.leaf_hash, 'hex'));
      }
    }
  }

  private exclusive<T>(section: () => Promise<T>): Promise<T> {
    const run = this.tail.then(section, section);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function toHead(row: TreeHeadRow): SignedTreeHead {
  return {
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    timestamp: Number(row.timestamp),
    signature: row.signature,
    keyId: row.key_id,
  };
}

const hex = (b: Buffer) => b.toString('hex');
