import type { Transactor, Tx } from '../../db/executor.js';
import type { Repositories } from '../../repositories.js';
import { bytesToVector, open, seal, vectorToBytes } from '../keys/sealing.js';
import type { IndexedTemplate, Matcher } from '../../matcher/matcher.js';
import { OrthogonalTransform } from '../../matcher/orthogonal-transform.js';
import type { IdSource } from '../../ports/ids.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { DataKeys } from '../keys/data-keys.js';
import { galleryOf } from './galleries.js';
import type { PersonKeyRow, PersonKeys } from './person-keys.js';
import type { SegmentTransforms } from './segment-transforms.js';
import type { TemplateRow } from './templates.repository.js';
import type { ViewKey } from './transforms.repository.js';

const PAGE = 1000;

/** Where a template belongs; its ciphertext is bound to exactly this. */
export interface TemplateBinding {
  readonly id: string;
  readonly personId: string;
  readonly segmentId: string;
  readonly modelPack: string;
  /** '' for the segment's own view; a relying party's id for that party's view. */
  readonly view: string;
}

/** A template ready to store: the transformed vector sealed under the person's key. */
export interface SealedTemplate {
  readonly segmentId: string;
  readonly view: string;
  readonly transformVersion: number;
  readonly sealed: Buffer;
  /** The stored (transformed) vector, for the matcher once the row commits. */
  readonly indexed: IndexedTemplate;
}

/** What is stored beside a sealed template: where and by whom it was captured, and what the capture measured. */
export interface StoredTemplateMeta {
  readonly channel: string;
  readonly enrolledBy: string;
  readonly quality: { readonly score: number; readonly measures: Readonly<Record<string, number>> };
  readonly liveness: number;
  readonly at: string;
}

/** Thrown when a re-key retired the transform a template was sealed under before it committed. */
export class TransformRetired extends Error {
  override name = 'TransformRetired';
}

/**
 * Turns embeddings into stored templates and back: the segment's secret transform (renewable templates), then
 * AES-256-GCM under the person's own key (crypto-shredding), bound to the row. Vectors exist in clear only in
 * memory. Templates from before renewable templates (`transform_version` NULL: raw, under the segment key) are
 * still read, and moved into the active transform at start-up.
 */
export class TemplateVault {
  constructor(
    private readonly repos: Pick<Repositories, 'templates' | 'templateEvents' | 'transforms'>,
    private readonly transactions: Transactor,
    private readonly keys: DataKeys,
    private readonly personKeys: PersonKeys,
    private readonly transforms: SegmentTransforms,
    private readonly ids: IdSource,
    private readonly clock: Clock,
  ) {}

  /** Transforms and seals a raw embedding under the segment's active transform and the person's key. */
  async seal(binding: TemplateBinding, raw: Float32Array, personKey: Buffer): Promise<SealedTemplate> {
    const version = await this.transforms.activeVersion(binding);
    const transform = await this.transforms.require(binding, version, raw.length);
    const vector = transform.apply(raw);
    return {
      segmentId: binding.segmentId,
      view: binding.view,
      transformVersion: version,
      sealed: seal(personKey, vectorToBytes(vector), bindingOf(binding, version)),
      indexed: indexed(binding, version, vector),
    };
  }

  /**
   * Inside the storing transaction: holds the transform's row lock and fails with {@link TransformRetired} if a
   * re-key retired it meanwhile (the caller seals again under the new one).
   */
  async guard(tx: Tx, template: SealedTemplate): Promise<void> {
    if (!(await this.repos.transforms.holdActive(tx, template, template.transformVersion))) {
      throw new TransformRetired(`transform ${template.segmentId} v${template.transformVersion} was retired`);
    }
  }

  /**
   * Inside the storing transaction, after {@link guard}: the template's row and its change-feed event, so
   * every instance's matcher learns of it from the commit.
   */
  async store(tx: Tx, template: SealedTemplate, meta: StoredTemplateMeta): Promise<void> {
    const { templateId: id, personId, modelPack } = template.indexed;
    const { segmentId } = template;
    await this.repos.templates.insert(tx, {
      id,
      person_id: personId,
      segment_id: segmentId,
      model_pack: modelPack,
      key_version: 0,
      transform_version: template.transformVersion,
      transform_view: template.view,
      sealed_vector: template.sealed,
      channel: meta.channel,
      enrolled_by: meta.enrolledBy,
      quality: JSON.stringify({ score: meta.quality.score, ...meta.quality.measures }),
      liveness: meta.liveness,
      created_at: meta.at,
    });
    await this.repos.templateEvents.append(tx, [
      { kind: 'added', template_id: id, person_id: personId, segment_id: segmentId, at: meta.at },
    ]);
  }

  /** The stored vector of a row (in its transform's space); `undefined` if the person's key is shredded. */
  async open(row: TemplateRow, personKey?: Buffer): Promise<Float32Array | undefined> {
    if (row.transform_version === null) {
      const key = await this.keys.version(row.segment_id, row.key_version);
      return bytesToVector(open(key, row.sealed_vector, legacyBindingOf(rowBinding(row))));
    }
    const key = personKey ?? (await this.personKeys.of(row.person_id));
    if (!key) return undefined;
    return bytesToVector(open(key, row.sealed_vector, bindingOf(rowBinding(row), row.transform_version)));
  }

  /** The matcher entry of a stored row, or `undefined` if it cannot be opened any more. */
  async indexedOf(row: TemplateRow, personKey?: Buffer): Promise<IndexedTemplate | undefined> {
    const vector = await this.open(row, personKey);
    return vector && indexed(rowBinding(row), row.transform_version ?? 0, vector);
  }

  /** Fills the matcher from the store (at start-up). Returns the number of templates loaded. */
  async loadInto(matcher: Matcher): Promise<number> {
    let after = '';
    let n = 0;
    for (;;) {
      const rows = await this.repos.templates.page(after, PAGE);
      const keys = await this.personKeys.ofMany([...new Set(rows.map((r) => r.person_id))]);
      for (const row of rows) {
        const entry = await this.indexedOf(row, keys.get(row.person_id));
        if (entry && !matcher.has(entry.templateId)) matcher.add(entry);
      }
      n += rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return n;
      after = last.id;
    }
  }

  /**
   * Moves every template of a segment that is not under transform `to` into it, without any image:
   * new = R_to · R_fromᵀ · old, re-sealed as a new template (a renewed template is a new identifier), the old
   * row deleted, both in the change feed. Legacy raw templates get their person key here. Each page is one
   * transaction of a few statements; `moved` reports it once committed so the caller can update the matcher.
   * Returns the number moved.
   */
  async moveSegment(
    at: ViewKey,
    to: number,
    moved: (changes: { removed: string; added: IndexedTemplate }[]) => void,
  ): Promise<number> {
    let total = 0;
    let after = '';
    // R_to·R_fromᵀ per source version, built once (a 512² product costs ~150 ms; applying it ~0.3 ms).
    const movers = new Map<string, OrthogonalTransform>();
    for (;;) {
      const rows = await this.repos.templates.pendingForTransform(at, to, after, PAGE);
      if (rows.length === 0) return total;
      after = rows.at(-1)!.id;
      // Everything is read and computed before the transaction (on SQLite a read outside it would wait for its
      // connection); inside, only the rows still there are replaced, so a person erased meanwhile stays erased.
      const keys = await this.personKeys.ofMany([...new Set(rows.map((r) => r.person_id))]);
      const minted = new Map<string, PersonKeyRow>();
      const page: { row: TemplateRow; renewed: TemplateRow; added: IndexedTemplate }[] = [];
      for (const row of rows) {
        let key = keys.get(row.person_id);
        if (!key && row.transform_version === null) {
          const fresh = await this.personKeys.mint(row.person_id, row.segment_id);
          keys.set(row.person_id, (key = fresh.key));
          minted.set(row.person_id, fresh.row);
        }
        const old = key && (await this.open(row, key));
        if (!old) continue; // erased since the page was read: its key is gone
        const mover = await this.mover(at, row.transform_version, to, old.length, movers);
        const vector = mover.apply(old);
        const binding = { ...rowBinding(row), id: this.ids.next('tpl') };
        const sealed = seal(key!, vectorToBytes(vector), bindingOf(binding, to));
        const renewed = { ...row, id: binding.id, key_version: 0, transform_version: to, sealed_vector: sealed };
        page.push({ row, renewed, added: indexed(binding, to, vector) });
      }
      const changes = await this.transactions.transaction(async (tx) => {
        const gone = await this.repos.templates.deleteMany(
          tx,
          page.map((p) => p.row.id),
        );
        const kept = page.filter((p) => gone.has(p.row.id));
        const now = isoNow(this.clock);
        await this.personKeys.insertMany(
          tx,
          [...minted.values()].filter((k) => kept.some((p) => p.row.person_id === k.person_id)),
        );
        await this.repos.templates.insertMany(
          tx,
          kept.map((p) => p.renewed),
        );
        await this.repos.templateEvents.append(
          tx,
          kept.flatMap(({ row, renewed }) => [
            {
              kind: 'removed' as const,
              template_id: row.id,
              person_id: row.person_id,
              segment_id: row.segment_id,
              at: now,
            },
            {
              kind: 'added' as const,
              template_id: renewed.id,
              person_id: row.person_id,
              segment_id: row.segment_id,
              at: now,
            },
          ]),
        );
        return kept.map((p) => ({ removed: p.row.id, added: p.added }));
      });
      moved(changes);
      total += changes.length;
    }
  }

  private async mover(
    at: ViewKey,
    from: number | null,
    to: number,
    dim: number,
    cache: Map<string, OrthogonalTransform>,
  ): Promise<OrthogonalTransform> {
    const id = `${from ?? 'raw'}|${dim}`;
    let m = cache.get(id);
    if (!m) {
      const target = await this.transforms.require(at, to, dim);
      // A legacy raw template only needs the target transform.
      m = from === null ? target : OrthogonalTransform.rekey(await this.transforms.require(at, from, dim), target);
      cache.set(id, m);
    }
    return m;
  }
}

function indexed(binding: TemplateBinding, version: number, vector: Float32Array): IndexedTemplate {
  return {
    templateId: binding.id,
    personId: binding.personId,
    segment: galleryOf(binding.segmentId, binding.view, version),
    modelPack: binding.modelPack,
    vector,
  };
}

function rowBinding(row: TemplateRow): TemplateBinding {
  return {
    id: row.id,
    personId: row.person_id,
    segmentId: row.segment_id,
    modelPack: row.model_pack,
    view: row.transform_view,
  };
}

function bindingOf(b: TemplateBinding, transformVersion: number): string {
  return `oblik/template/v2|${b.id}|${b.personId}|${b.segmentId}|${b.modelPack}|${b.view}|${transformVersion}`;
}

function legacyBindingOf(b: TemplateBinding): string {
  return `oblik/template/v1|${b.id}|${b.personId}|${b.segmentId}|${b.modelPack}`;
}
