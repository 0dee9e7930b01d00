import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../../db/constraint-errors.js';
import type { Transactor, Tx } from '../../db/executor.js';
import { open, seal } from '../keys/sealing.js';
import { OrthogonalTransform } from '../../matcher/orthogonal-transform.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';
import type { TransformRow, TransformsRepository, ViewKey } from './transforms.repository.js';

/**
 * Template transforms (ISO/IEC 24745 renewable templates): a random orthogonal rotation built from a 32-byte
 * seed, per segment, and per relying party for a party that keeps its own view of a segment (its enrolments
 * under a transform of its own, renewable alone). Templates are stored and matched only after it, so cosine
 * similarity is unchanged while a template taken from one view matches nothing in another, or in the raw
 * embedding space. Seeds are stored wrapped by the segment's data key; a re-key makes a new version active and
 * destroys the old seed once every template has moved, after which the old transform cannot be computed.
 */
export class SegmentTransforms {
  private readonly seeds = new Map<string, Buffer>();
  private readonly built = new Map<string, OrthogonalTransform>();

  constructor(
    private readonly rows: TransformsRepository,
    private readonly transactions: Transactor,
    private readonly keys: DataKeys,
    private readonly clock: Clock,
  ) {}

  /** The version new templates of the view are stored under (version 1 is made on first use). */
  async activeVersion(at: ViewKey): Promise<number> {
    let active = (await this.rows.list(at)).find((r) => r.state === 'active');
    if (!active) {
      try {
        await this.transactions.transaction((tx) => this.insertVersion(tx, at, 1));
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // another instance made it first
      }
      active = (await this.rows.list(at)).find((r) => r.state === 'active');
    }
    if (!active) throw new Error(`${describe(at)} has no active template transform`);
    return active.version;
  }

  /** The transform of a version, for vectors of `dim` dimensions; `undefined` once it is destroyed. */
  async transform(at: ViewKey, version: number, dim: number): Promise<OrthogonalTransform | undefined> {
    const id = `${seedId(at, version)}|${dim}`;
    const cached = this.built.get(id);
    if (cached) return cached;
    const seed = await this.seed(at, version);
    if (!seed) return undefined;
    const made = OrthogonalTransform.fromSeed(seed, dim);
    this.built.set(id, made);
    return made;
  }

  /** Like {@link transform}, for a version that must exist. */
  async require(at: ViewKey, version: number, dim: number): Promise<OrthogonalTransform> {
    const t = await this.transform(at, version, dim);
    if (!t) throw new Error(`template transform ${describe(at)} v${version} is destroyed`);
    return t;
  }

  /** Starts a re-key: a fresh version becomes active and the others start retiring. Returns the new version. */
  async beginRekey(at: ViewKey, alongside?: (tx: Tx, version: number) => Promise<unknown>): Promise<number> {
    await this.activeVersion(at);
    return this.transactions.transaction(async (tx) => {
      const rows = await this.rows.list(at, tx);
      const version = Math.max(...rows.map((r) => r.version)) + 1;
      // Retiring first takes the row locks that sealing holds, so no template commits under an old version after.
      await this.rows.retireAllBut(tx, at, version);
      await this.insertVersion(tx, at, version);
      // The caller's record of the re-key commits with it: a re-key that has begun is always on the record.
      await alongside?.(tx, version);
      return version;
    });
  }

  /**
   * Destroys a retired version's seed, in the store and in this process; `alongside` runs in the same
   * transaction (the audit record of the destruction).
   */
  async destroy(at: ViewKey, version: number, alongside?: (tx: Tx) => Promise<unknown>): Promise<void> {
    await this.transactions.transaction(async (tx) => {
      await this.rows.destroy(at, version, isoNow(this.clock), tx);
      await alongside?.(tx);
    });
    this.seeds.delete(seedId(at, version));
    for (const id of [...this.built.keys()]) if (id.startsWith(`${seedId(at, version)}|`)) this.built.delete(id);
  }

  /** A view's versions still holding a seed, for status and re-key resumption. */
  async live(at: ViewKey): Promise<TransformRow[]> {
    return (await this.rows.list(at)).filter((r) => r.state !== 'destroyed');
  }

  /** The views of a segment that have transforms (the segment's own, '', and any party's). */
  async views(segmentId: string): Promise<string[]> {
    return [...new Set((await this.rows.listSegment(segmentId)).map((r) => r.view))];
  }

  /** Re-wraps every view's seeds of a segment under its active data key (after a data-key rotation). */
  async rewrapSegment(segmentId: string): Promise<number> {
    const { version: keyVersion, key } = await this.keys.active(segmentId);
    let n = 0;
    for (const row of await this.rows.listSegment(segmentId)) {
      if (row.key_version === keyVersion || row.wrapped_seed === null) continue;
      const at = { segmentId, view: row.view };
      const seed = await this.seed(at, row.version);
      if (!seed) continue;
      const wrapped = seal(key, seed, binding(at, row.version)).toString('base64');
      await this.rows.rewrap(at, row.version, keyVersion, wrapped);
      n++;
    }
    return n;
  }

  private async seed(at: ViewKey, version: number): Promise<Buffer | undefined> {
    const known = this.seeds.get(seedId(at, version));
    if (known) return known;
    const row = (await this.rows.list(at)).find((r) => r.version === version);
    if (!row?.wrapped_seed) return undefined;
    const key = await this.keys.version(at.segmentId, row.key_version);
    const seed = open(key, Buffer.from(row.wrapped_seed, 'base64'), binding(at, version));
    this.seeds.set(seedId(at, version), seed);
    return seed;
  }

  private async insertVersion(tx: Tx, at: ViewKey, version: number): Promise<void> {
    const { version: keyVersion, key } = await this.keys.active(at.segmentId);
    const seed = randomBytes(32);
    await this.rows.insert(tx, {
      segment_id: at.segmentId,
      view: at.view,
      version,
      key_version: keyVersion,
      wrapped_seed: seal(key, seed, binding(at, version)).toString('base64'),
      state: 'active',
      created_at: isoNow(this.clock),
      destroyed_at: null,
    });
  }
}

const seedId = (at: ViewKey, version: number) => `${at.segmentId}|${at.view}|${version}`;
const describe = (at: ViewKey) => (at.view ? `segment ${at.segmentId}, view of ${at.view}` : `segment ${at.segmentId}`);

function binding(at: ViewKey, version: number): string {
  return `oblik/template-transform/v1|${at.segmentId}|${at.view}|${version}`;
}
