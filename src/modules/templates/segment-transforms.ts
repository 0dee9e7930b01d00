import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { open, seal } from '../../keys/sealing.js';
import { OrthogonalTransform } from '../../matcher/orthogonal-transform.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { isUniqueViolation } from '../idempotency/idempotency.service.js';
import type { DataKeys } from '../keys/data-keys.js';
import { transformsRepository, type TransformRow } from './transforms.repository.js';
import { randomBytes } from 'node:crypto';

/**
 * Each segment's secret template transform (ISO/IEC 24745 renewable templates): a random orthogonal rotation
 * built from a 32-byte seed. Templates are stored and matched only after it, so cosine similarity is unchanged
 * while a template taken from one segment matches nothing in another, or in the raw embedding space. Seeds are
 * stored wrapped by the segment's data key; a re-key makes a new version active and destroys the old seed once
 * every template has moved, after which the old transform cannot be computed by anyone.
 */
export class SegmentTransforms {
  private readonly seeds = new Map<string, Map<number, Buffer>>();
  private readonly built = new Map<string, OrthogonalTransform>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: DataKeys,
    private readonly clock: Clock,
  ) {}

  /** The version new templates of the segment are stored under (version 1 is made on first use). */
  async activeVersion(segmentId: string): Promise<number> {
    let active = (await transformsRepository.list(this.db, segmentId)).find((r) => r.state === 'active');
    if (!active) {
      try {
        await this.db.transaction().execute((tx) => this.insertVersion(tx, segmentId, 1));
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // another instance made it first
      }
      active = (await transformsRepository.list(this.db, segmentId)).find((r) => r.state === 'active');
    }
    if (!active) throw new Error(`segment ${segmentId} has no active template transform`);
    return active.version;
  }

  /** The transform of a version, for vectors of `dim` dimensions; `undefined` once it is destroyed. */
  async transform(segmentId: string, version: number, dim: number): Promise<OrthogonalTransform | undefined> {
    const id = `${segmentId}|${version}|${dim}`;
    const cached = this.built.get(id);
    if (cached) return cached;
    const seed = await this.seed(segmentId, version);
    if (!seed) return undefined;
    const made = OrthogonalTransform.fromSeed(seed, dim);
    this.built.set(id, made);
    return made;
  }

  /** Like {@link transform}, for a version that must exist. */
  async require(segmentId: string, version: number, dim: number): Promise<OrthogonalTransform> {
    const t = await this.transform(segmentId, version, dim);
    if (!t) throw new Error(`template transform ${segmentId} v${version} is destroyed`);
    return t;
  }

  /** Starts a re-key: a fresh version becomes active and the others start retiring. Returns the new version. */
  async beginRekey(segmentId: string): Promise<{ version: number; retiring: number[] }> {
    await this.activeVersion(segmentId);
    return this.db.transaction().execute(async (tx) => {
      const rows = await transformsRepository.list(tx, segmentId);
      const version = Math.max(...rows.map((r) => r.version)) + 1;
      // Retiring first takes the row locks that sealing holds, so no template commits under an old version after.
      await transformsRepository.retireAllBut(tx, segmentId, version);
      await this.insertVersion(tx, segmentId, version);
      return { version, retiring: rows.filter((r) => r.state !== 'destroyed').map((r) => r.version) };
    });
  }

  /** Destroys a retired version's seed, in the store and in this process. */
  async destroy(segmentId: string, version: number): Promise<void> {
    await transformsRepository.destroy(this.db, segmentId, version, isoNow(this.clock));
    this.seeds.get(segmentId)?.delete(version);
    for (const id of [...this.built.keys()]) if (id.startsWith(`${segmentId}|${version}|`)) this.built.delete(id);
  }

  /** Versions still holding a seed, for status and re-key resumption. */
  async live(segmentId: string): Promise<TransformRow[]> {
    return (await transformsRepository.list(this.db, segmentId)).filter((r) => r.state !== 'destroyed');
  }

  /** Re-wraps the seeds of a segment under its active data key (after a data-key rotation). */
  async rewrapSegment(segmentId: string): Promise<number> {
    const { version: keyVersion, key } = await this.keys.active(segmentId);
    let n = 0;
    for (const row of await this.live(segmentId)) {
      if (row.key_version === keyVersion) continue;
      const seed = await this.seed(segmentId, row.version);
      if (!seed) continue;
      const wrapped = seal(key, seed, binding(segmentId, row.version)).toString('base64');
      await transformsRepository.rewrap(this.db, segmentId, row.version, keyVersion, wrapped);
      n++;
    }
    return n;
  }

  private async seed(segmentId: string, version: number): Promise<Buffer | undefined> {
    const known = this.seeds.get(segmentId)?.get(version);
    if (known) return known;
    const row = (await transformsRepository.list(this.db, segmentId)).find((r) => r.version === version);
    if (!row?.wrapped_seed) return undefined;
    const key = await this.keys.version(segmentId, row.key_version);
    const seed = open(key, Buffer.from(row.wrapped_seed, 'base64'), binding(segmentId, version));
    let versions = this.seeds.get(segmentId);
    if (!versions) this.seeds.set(segmentId, (versions = new Map<number, Buffer>()));
    versions.set(version, seed);
    return seed;
  }

  private async insertVersion(tx: Kysely<Database>, segmentId: string, version: number): Promise<void> {
    const { version: keyVersion, key } = await this.keys.active(segmentId);
    const seed = randomBytes(32);
    await transformsRepository.insert(tx, {
      segment_id: segmentId,
      version,
      key_version: keyVersion,
      wrapped_seed: seal(key, seed, binding(segmentId, version)).toString('base64'),
      state: 'active',
      created_at: isoNow(this.clock),
      destroyed_at: null,
    });
  }
}

function binding(segmentId: string, version: number): string {
  return `oblik/template-transform/v1|${segmentId}|${version}`;
}
