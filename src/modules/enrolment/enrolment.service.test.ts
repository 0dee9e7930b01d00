import { describe, expect, it } from 'vitest';
import { callOf, fakeTx, fixedClock, sequentialIds, type Calls } from '../../../test/fakes.js';
import type { Capture } from '../../biometrics/face-engine.js';
import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import type { Repositories } from '../../repositories.js';
import { EnrolmentService } from './enrolment.service.js';
import type { EnrolmentResult, TemplateCommit } from './template-commits.js';

const capture = {
  face: { liveness: 0.91234567, quality: { score: 71.23456, acceptable: true, reasons: [], measures: { blur: 0.5 } } },
  template: { modelPack: 'face@1', vector: new Float32Array([1, 0, 0]) },
} as unknown as Capture;

const SEGMENT_RULES = { ageOfConsent: 18, minorPurposes: ['school_meals'] };

/** An enrolment service over fakes; `calls` records what reached the store and the commit path. */
function enrolment(
  options: { replayed?: unknown; cleared?: { id: string; candidate_person_id: string }; refuse?: AppError } = {},
) {
  const calls: Calls = [];
  const commits: { commit: TemplateCommit[]; raced: boolean } = { commit: [], raced: false };
  const repos = {
    segments: { rulesOf: (id: string) => Promise.resolve(id === 'moscow' ? SEGMENT_RULES : undefined) },
    persons: { insert: (tx: Tx, row: unknown) => Promise.resolve(void calls.push(['person', tx, row])) },
    consent: { insertGrants: (tx: Tx, rows: unknown) => Promise.resolve(void calls.push(['grants', tx, rows])) },
    adjudications: {
      markEnrolled: (_tx: Tx, id: string, personId: string) => {
        calls.push(['adjudication used', id, personId]);
        return Promise.resolve(!commits.raced);
      },
    },
  } as unknown as Pick<Repositories, 'persons' | 'consent' | 'segments' | 'adjudications' | 'provenance'>;
  const service = new EnrolmentService(
    {
      modelPack: { tag: 'test@1', embeddingDim: 4 } as never,
      capture: () => {
        calls.push(['capture']);
        return options.refuse ? Promise.reject(options.refuse) : Promise.resolve(capture);
      },
    },
    {
      authoriseEnrolment: (_ctx, segment) => Promise.resolve(void calls.push(['authorise', segment])),
      authoriseReEnrolment: (_ctx, pseudonym) =>
        Promise.resolve({ id: 'psn_real', segment_id: 'moscow', pseudonym } as never),
      afterAuthorisation: (_ctx, _at, step) => step(),
    },
    {
      replay: <T>() => Promise.resolve(options.replayed as T | undefined),
      cleared: (_ctx, id) =>
        Promise.resolve({ id, candidate_person_id: options.cleared!.candidate_person_id } as never),
      async commit<T>(c: TemplateCommit, answer: (tx: Tx, result: EnrolmentResult) => Promise<T>) {
        commits.commit.push(c);
        await c.writePerson?.(fakeTx);
        const result = { personId: 'psn_alias', templateId: c.templateId, quality: {}, liveness: {} };
        return answer(fakeTx, result as EnrolmentResult);
      },
    },
    repos,
    {
      mint: (personId) => Promise.resolve({ key: Buffer.alloc(32), row: { person_id: personId } as never }),
      insert: (tx, row) => Promise.resolve(void calls.push(['person key', tx, row])),
    },
    fixedClock('2026-11-23T12:00:00.000Z'),
    sequentialIds(),
    { requireLiveness: false },
    { count: () => Promise.resolve() },
  );
  return { service, calls, commits };
}

const newPerson = { segment: 'moscow', channel: 'kiosk', image: new Uint8Array([1]) };

describe('EnrolmentService (fakes)', () => {
  it('refuses an unknown segment before anything else', async () => {
    const { service, calls } = enrolment();
    await expect(service.enrol(callOf(), { ...newPerson, segment: 'atlantis', consents: [] })).rejects.toMatchObject({
      code: 'segment.not_found',
    });
    expect(calls).toEqual([]);
  });

  it("applies the segment's rules for minors to what the enrolling party may be granted", async () => {
    const { service, calls } = enrolment();
    const minor = { ...newPerson, birthDate: '2015-03-01' };
    const school = callOf({ purposes: ['transit_fare', 'school_meals'] });
    await expect(service.enrol(school, { ...minor, consents: ['transit_fare'] })).rejects.toMatchObject({
      code: 'consent.purpose_forbidden_for_minor',
    });
    await expect(service.enrol(school, { ...minor, consents: ['school_meals'] })).rejects.toMatchObject({
      code: 'consent.guardian_required',
    });
    expect(calls.filter((c) => c[0] === 'capture')).toEqual([]);
    await expect(service.enrol(callOf(), { ...minor, consents: [] })).resolves.toMatchObject({ personId: 'psn_alias' });
    const adult = { ...newPerson, birthDate: '1990-01-01', consents: ['transit_fare'] };
    await expect(service.enrol(callOf(), adult)).resolves.toMatchObject({ personId: 'psn_alias' });
  });

  it('refuses consent to a purpose the enrolling party is not registered for, before the capture', async () => {
    const { service, calls } = enrolment();
    await expect(service.enrol(callOf(), { ...newPerson, consents: ['parking'] })).rejects.toMatchObject({
      code: 'consent.purpose_not_offered',
      data: { purposes: ['transit_fare'] },
    });
    expect(calls).toEqual([['authorise', 'moscow']]);
  });

  it('answers a replay from the store, without a capture or a commit', async () => {
    const stored = { personId: 'psn_first', templateId: 'tpl_first' };
    const { service, calls, commits } = enrolment({ replayed: stored });
    expect(await service.enrol(callOf(), { ...newPerson, consents: [] })).toBe(stored);
    expect(calls).toEqual([['authorise', 'moscow']]);
    expect(commits.commit).toEqual([]);
  });

  it("writes a new person's row, key and one grant per purpose in the commit's transaction, and hands out the receipt", async () => {
    const { service, calls, commits } = enrolment();
    const ctx = callOf({ purposes: ['transit_fare', 'parking'] });
    const result = await service.enrol(ctx, { ...newPerson, consents: ['transit_fare', 'parking', 'parking'] });
    const [commit] = commits.commit;
    expect(commit).toMatchObject({ action: 'enrolment', segmentId: 'moscow', channel: 'kiosk', exempt: undefined });
    expect(commit!.template).toEqual({
      modelPack: 'face@1',
      vector: new Float32Array([1, 0, 0]),
      quality: { score: 71.23456, measures: { blur: 0.5 } },
      liveness: 0.91234567,
    });
    const personId = commit!.personId;
    expect(calls.filter((c) => c[0] !== 'capture' && c[0] !== 'authorise')).toEqual([
      ['person', fakeTx, expect.objectContaining({ id: personId, segment_id: 'moscow', status: 'active' })],
      ['person key', fakeTx, { person_id: personId }],
      [
        'grants',
        fakeTx,
        ['transit_fare', 'parking'].map((purpose) =>
          expect.objectContaining({ person_id: personId, relying_party_id: 'rp_metro', purpose, source: 'enrolment' }),
        ),
      ],
    ]);
    expect(result.receipt).toEqual({
      citizenId: personId,
      segment: 'moscow',
      enrolledAt: '2026-11-23T12:00:00.000Z',
      enrolledBy: 'rp_metro',
      consents: ['transit_fare', 'parking'],
      activationContact: null,
    });
  });

  it('exempts a cleared look-alike from the duplicate search once, and a raced second use rolls the person back', async () => {
    const cleared = { id: 'adj_1', candidate_person_id: 'psn_twin' };
    const { service, commits } = enrolment({ cleared });
    await service.enrol(callOf(), { ...newPerson, consents: [], adjudicationId: 'adj_1' });
    expect(commits.commit[0]).toMatchObject({ exempt: 'psn_twin', detail: { consents: [], adjudicationId: 'adj_1' } });
    commits.raced = true;
    await expect(
      service.enrol(callOf(), { ...newPerson, consents: [], adjudicationId: 'adj_1' }),
    ).rejects.toMatchObject({ code: 'adjudication.not_cleared' });
  });

  it("hands the answer, receipt included, to a relying party's effect and returns the effect's value", async () => {
    const { service } = enrolment();
    const seen: unknown[] = [];
    const value = await service.enrol(callOf(), { ...newPerson, consents: [] }, (tx, enrolled) => {
      seen.push(tx, enrolled.receipt?.citizenId);
      return Promise.resolve({ contract: 'c_1' });
    });
    expect(value).toEqual({ contract: 'c_1' });
    expect(seen).toEqual([fakeTx, expect.stringMatching(/^psn_/)]);
  });

  it("re-enrols through the same path: the person's own face must match, and only a duplicate of someone else counts", async () => {
    const { service, commits } = enrolment();
    await service.addTemplate(callOf(), 'psn_alias', { channel: 're_enrolment', image: new Uint8Array([1]) });
    expect(commits.commit[0]).toMatchObject({
      action: 'template.add',
      personId: 'psn_real',
      pseudonym: 'psn_alias',
      matchOwn: true,
      exempt: 'psn_real',
    });
    expect(commits.commit[0]!.writePerson).toBeUndefined();
  });

  it('a refused capture stops before anything is written', async () => {
    const { service, calls, commits } = enrolment({ refuse: new AppError('face.not_found', 'no face') });
    await expect(service.enrol(callOf(), { ...newPerson, consents: [] })).rejects.toMatchObject({
      code: 'face.not_found',
    });
    expect(commits.commit).toEqual([]);
    expect(calls.map((c) => c[0])).toEqual(['authorise', 'capture']);
  });
});
