import { describe, expect, it } from 'vitest';
import {
  auditEntry,
  auditLeaf,
  auditLeafBytes,
  auditRowMac,
  auditScore,
  commitmentLeaf,
  entrySalt,
  type AuditEntryFields,
  type AuditLeafFields,
} from './audit-leaf.js';

const row: AuditLeafFields = {
  id: 'evt_aaaaaaaaaaaaaaaaaaaaaaaaaa',
  at: '2026-11-23T15:00:00.000Z',
  actor_id: 'rp_bbbbbbbbbbbbbbbbbbbbbbbbbb',
  actor_role: 'relying_party',
  action: 'verification',
  purpose: 'transit_fare',
  segment_id: 'moscow',
  template_id: 'tpl_cccccccccccccccccccccccccc',
  result: 'match',
  score: 0.8123,
  request_id: 'req_dddddddddddddddddddddddddd',
  detail: '{"liveness":0.97}',
  person_ref: 'ab'.repeat(32),
};

describe('audit leaf format v1', () => {
  it('is canonical JSON with sorted keys, every key present, detail as its stored text', () => {
    expect(auditLeaf(row)).toBe(
      '{"action":"verification","actorId":"rp_bbbbbbbbbbbbbbbbbbbbbbbbbb","actorRole":"relying_party",' +
        '"at":"2026-11-23T15:00:00.000Z","detail":"{\\"liveness\\":0.97}","id":"evt_aaaaaaaaaaaaaaaaaaaaaaaaaa",' +
        `"personRef":"${'ab'.repeat(32)}","purpose":"transit_fare","requestId":"req_dddddddddddddddddddddddddd",` +
        '"result":"match","score":0.8123,"segmentId":"moscow","templateId":"tpl_cccccccccccccccccccccccccc","v":1}',
    );
    const nulls = auditLeaf({
      ...row,
      purpose: null,
      segment_id: null,
      template_id: null,
      score: null,
      request_id: null,
      detail: null,
      person_ref: null,
    });
    expect(Object.keys(JSON.parse(nulls))).toEqual(Object.keys(JSON.parse(auditLeaf(row))));
    expect(nulls).toContain('"personRef":null,"purpose":null,"requestId":null');
  });

  it('never holds a person id: only the keyed reference', () => {
    const text = auditLeaf(row);
    expect(text).not.toContain('personId');
    expect(text).not.toContain('psn_');
  });

  it('changes with every column it covers, and is UTF-8 of the text', () => {
    const base = auditLeaf(row);
    for (const key of Object.keys(row) as (keyof AuditLeafFields)[]) {
      const value = row[key];
      const changed = { ...row, [key]: typeof value === 'number' ? value + 1e-4 : `${String(value)}x` };
      expect(auditLeaf(changed), key).not.toBe(base);
    }
    const unicode = { ...row, detail: '{"note":"Ёлка ✓"}' };
    expect(auditLeafBytes(unicode).toString('utf8')).toBe(auditLeaf(unicode));
    expect(auditLeafBytes(unicode).length).toBeGreaterThan(auditLeaf(unicode).length);
  });

  it('refuses a score that JSON cannot carry', () => {
    expect(() => auditLeaf({ ...row, score: Number.NaN })).toThrow(RangeError);
  });
});

describe('audit leaf format v2', () => {
  const entryRow: AuditEntryFields = {
    ...row,
    person_ref: undefined,
    person_id: 'psn_eeeeeeeeeeeeeeeeeeeeeeeeee',
  } as AuditEntryFields;
  const key = Buffer.alloc(32, 7);

  it('is a commitment to the canonical entry (with the person id) under a salt derived from the entry id', () => {
    const entry = auditEntry(entryRow);
    expect(entry).toBe(
      '{"action":"verification","actorId":"rp_bbbbbbbbbbbbbbbbbbbbbbbbbb","actorRole":"relying_party",' +
        '"at":"2026-11-23T15:00:00.000Z","detail":"{\\"liveness\\":0.97}","id":"evt_aaaaaaaaaaaaaaaaaaaaaaaaaa",' +
        '"personId":"psn_eeeeeeeeeeeeeeeeeeeeeeeeee","purpose":"transit_fare","requestId":"req_dddddddddddddddddddddddddd",' +
        '"result":"match","score":0.8123,"segmentId":"moscow","templateId":"tpl_cccccccccccccccccccccccccc","v":2}',
    );
    const salt = entrySalt(key, entryRow.id);
    expect(salt).toHaveLength(32);
    expect(entrySalt(key, 'evt_other')).not.toEqual(salt);
    const leaf = commitmentLeaf(entry, salt);
    expect(leaf).toMatch(/^\{"commitment":"[0-9a-f]{64}","v":2\}$/);
    expect(commitmentLeaf(auditEntry({ ...entryRow, person_id: null }), salt)).not.toBe(leaf);
  });

  it('authenticates every column of the row, the person id included', () => {
    const mac = auditRowMac(key, entryRow);
    for (const column of (Object.keys(entryRow) as (keyof AuditEntryFields)[]).filter(
      (c) => c !== ('person_ref' as keyof AuditEntryFields),
    )) {
      const value = entryRow[column];
      const changed = { ...entryRow, [column]: typeof value === 'number' ? value + 1e-4 : null };
      expect(auditRowMac(key, changed), column).not.toBe(mac);
    }
  });

  it('stores scores to 6 significant digits, which a float4 gives back exactly', () => {
    for (const score of [0.812345678, 0.1, 0.99999949, 0.000123456789, 0.5]) {
      const stored = auditScore(score)!;
      expect(Number(Math.fround(stored).toPrecision(6))).toBe(stored);
    }
    expect(auditScore(undefined)).toBeNull();
  });
});
