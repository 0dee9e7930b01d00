import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { bytesToVector, open, seal, vectorToBytes } from '../../keys/sealing.js';
import type { Matcher } from '../../matcher/matcher.js';
import type { DataKeys } from '../keys/data-keys.js';
import { templatesRepository, type TemplateRow } from './templates.repository.js';

const PAGE = 2000;

/** Where a template belongs; its ciphertext is bound to exactly this. */
export interface TemplateBinding {
  readonly id: string;
  readonly personId: string;
  readonly segmentId: string;
  readonly modelPack: string;
}

/**
 * Seals templates for the store and opens them for the matcher. Vectors exist in clear only in memory.
 */
export class TemplateVault {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: DataKeys,
  ) {}

  async seal(binding: TemplateBinding, vector: Float32Array): Promise<{ keyVersion: number; sealed: Buffer }> {
    const { version, key } = await this.keys.active(binding.segmentId);
    return { keyVersion: version, sealed: seal(key, vectorToBytes(vector), bindingOf(binding)) };
  }

  async open(row: TemplateRow): Promise<Float32Array> {
    const key = await this.keys.version(row.segment_id, row.key_version);
    return bytesToVector(open(key, row.sealed_vector, bindingOf(rowBinding(row))));
  }

  /** Fills the matcher from the store (at start-up). Returns the number of templates loaded. */
  async loadInto(matcher: Matcher): Promise<number> {
    let after = '';
    let n = 0;
    for (;;) {
      const rows = await templatesRepository.page(this.db, after, PAGE);
      for (const row of rows) {
        matcher.add({
          templateId: row.id,
          personId: row.person_id,
          segment: row.segment_id,
          modelPack: row.model_pack,
          vector: await this.open(row),
        });
      }
      n += rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return n;
      after = last.id;
    }
  }

  /** Re-seals every template of a segment under its active data key; returns how many moved. */
  async resealSegment(segmentId: string): Promise<number> {
    let moved = 0;
    for (;;) {
      const { version, key } = await this.keys.active(segmentId);
      const rows = await templatesRepository.sealedUnderOtherVersion(this.db, segmentId, version, PAGE);
      if (rows.length === 0) return moved;
      for (const row of rows) {
        const vector = vectorToBytes(await this.open(row));
        const sealed = seal(key, vector, bindingOf(rowBinding(row)));
        if (await templatesRepository.reseal(this.db, row.id, row.key_version, version, sealed)) moved++;
      }
    }
  }
}

function rowBinding(row: TemplateRow): TemplateBinding {
  return { id: row.id, personId: row.person_id, segmentId: row.segment_id, modelPack: row.model_pack };
}

function bindingOf(b: TemplateBinding): string {
  return `oblik/template/v1|${b.id}|${b.personId}|${b.segmentId}|${b.modelPack}`;
}
