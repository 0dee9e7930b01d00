import { describe, expect, it } from 'vitest';
import { callOf, fakeTx, type Calls } from '../../../test/fakes.js';
import type { Tx } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import type { IndexedTemplate } from '../../matcher/matcher.js';
import type { SealedTemplate } from '../templates/template-vault.js';
import { TransformRetired } from '../templates/template-vault.js';
import { SegmentSections } from './segment-sections.js';
import { TemplateCommits, type StepProbe, type TemplateCommit } from './template-commits.js';

interface World {
  /** The best other person in the segment, as the duplicate search finds them. */
  duplicate?: { owner: string; score: number };
  /** The person's own best score, for re-enrolment. */
  own?: number;
  /** The person's key is gone (erased meanwhile). */
  keyless?: boolean;
  /** The idempotency record was written by a concurrent twin. */
  twinWon?: boolean;
  /** Re-keys that retire the transform before the commit's guard. */
  retirements?: number;
}

/** The commit path over fakes; `calls` is everything it did, in order. */
function path(world: World = {}) {
  const calls: Calls = [];
  const step: StepProbe = (s) => void calls.push(['probe', s]);
  let retirements = world.retirements ?? 0;
  const commits = new TemplateCommits(
    {
      galleries: {
        verify: () =>
          Promise.resolve(world.own === undefined ? undefined : { templateId: 'tpl_own', score: world.own }),
        identify: (_segments, _pack, _probe, options) => {
          calls.push(['search', options.minScore, options.accept?.('psn_1')]);
          return Promise.resolve(world.duplicate ? [{ id: 'tpl_theirs', ...world.duplicate }] : []);
        },
        size: () => 1000,
        index: (t: IndexedTemplate) => void calls.push(['index', t.templateId]),
      },
      sections: new SegmentSections('sqlite', { catchUp: () => Promise.resolve(void calls.push(['catch up'])) }),
    },
    {
      seal: (binding) => {
        calls.push(['seal', binding.view]);
        return Promise.resolve({ indexed: { templateId: binding.id } } as SealedTemplate);
      },
      guard: () => {
        if (retirements-- > 0) return Promise.reject(new TransformRetired('retired'));
        return Promise.resolve(void calls.push(['guard']));
      },
      store: (tx, _sealed, meta) => Promise.resolve(void calls.push(['store', tx, meta.channel])),
    },
    { of: () => Promise.resolve(world.keyless ? undefined : Buffer.alloc(32)) },
    {
      replay: () => Promise.resolve(undefined),
      async commit<T>(_ctx: unknown, _status: number, work: (tx: Tx) => Promise<T | AppError>) {
        const value = await work(fakeTx);
        if (value instanceof AppError) throw value;
        return { value, fresh: !world.twinWon };
      },
    },
    {
      cleared: () => Promise.reject(new Error('not used')),
      refuse: (tx, _ctx, _segment, _channel, hit) => {
        calls.push(['adjudication opened', tx, hit.owner]);
        return Promise.resolve(new AppError('enrolment.duplicate', 'already enrolled', { adjudicationId: 'adj_1' }));
      },
    },
    {
      audit: {
        record: (tx, _ctx, fact) => {
          calls.push(['audit', tx, fact]);
          return Promise.resolve('evt_1');
        },
      },
      pseudonyms: {
        issue: (_tx, party, ids) => Promise.resolve(new Map(ids.map((id) => [id, `alias-of-${id}-for-${party}`]))),
      },
    },
    { dedupThreshold: (n) => (n >= 1000 ? 0.5 : 0.4), matchThreshold: 0.45, livenessThreshold: 0.6 },
    step,
  );
  return { commits, calls };
}

const template = {
  modelPack: 'face@1',
  vector: new Float32Array([1, 0]),
  quality: { score: 70.123456, measures: {} },
  liveness: 0.87654321,
};

function newPerson(calls: Calls): TemplateCommit {
  return {
    ctx: callOf(),
    action: 'enrolment',
    segmentId: 'moscow',
    personId: 'psn_new',
    templateId: 'tpl_1',
    template,
    channel: 'kiosk',
    at: '2026-11-23T12:00:00.000Z',
    personKey: Buffer.alloc(32),
    detail: { consents: ['transit_fare'] },
    writePerson: (tx) => Promise.resolve(void calls.push(['person', tx])),
  };
}

const answerAsIs = (_tx: Tx, result: unknown) => Promise.resolve(result);

describe('TemplateCommits (fakes)', () => {
  it("commits a new person's rows, the template, the audit record and the answer in one transaction, then indexes", async () => {
    const { commits, calls } = path();
    const result = await commits.commit(newPerson(calls), answerAsIs);
    expect(result).toEqual({
      personId: 'alias-of-psn_new-for-rp_metro',
      templateId: 'tpl_1',
      quality: { score: 70.1235, measures: {} },
      liveness: { score: 0.8765, threshold: 0.6 },
    });
    expect(calls).toEqual([
      ['catch up'],
      ['search', 0.5, undefined],
      ['seal', ''],
      ['guard'],
      ['person', fakeTx],
      ['probe', 'person_written'],
      ['store', fakeTx, 'kiosk'],
      ['probe', 'template_written'],
      [
        'audit',
        fakeTx,
        {
          action: 'enrolment',
          result: 'enrolled',
          segmentId: 'moscow',
          personId: 'psn_new',
          templateId: 'tpl_1',
          detail: { channel: 'kiosk', consents: ['transit_fare'], modelPack: 'face@1' },
        },
      ],
      ['probe', 'committed'],
      ['index', 'tpl_1'],
    ]);
  });

  it('a duplicate opens an adjudication in its own committed transaction and stores nothing', async () => {
    const { commits, calls } = path({ duplicate: { owner: 'psn_other', score: 0.8 } });
    await expect(commits.commit(newPerson(calls), answerAsIs)).rejects.toMatchObject({
      code: 'enrolment.duplicate',
      data: { adjudicationId: 'adj_1' },
    });
    expect(calls.map((c) => c[0])).toEqual(['catch up', 'search', 'seal', 'adjudication opened']);
  });

  it('re-enrolment: a face below the match threshold is refused before anything is sealed', async () => {
    const { commits, calls } = path({ own: 0.3 });
    const again = { ...newPerson(calls), matchOwn: true, exempt: 'psn_new', writePerson: undefined };
    await expect(commits.commit(again, answerAsIs)).rejects.toMatchObject({ code: 'enrolment.face_mismatch' });
    expect(calls.map((c) => c[0])).toEqual(['catch up']);
  });

  it('re-enrolment: the person themself is no duplicate, and an erased person is unknown by their pseudonym', async () => {
    const { commits, calls } = path({ own: 0.9, keyless: true });
    const again = {
      ...newPerson(calls),
      personId: 'psn_1',
      pseudonym: 'psn_alias',
      personKey: undefined,
      matchOwn: true,
      exempt: 'psn_1',
      writePerson: undefined,
    };
    await expect(commits.commit(again, answerAsIs)).rejects.toMatchObject({
      code: 'person.not_found',
      data: { personId: 'psn_alias' },
    });
    expect(calls).toEqual([['catch up'], ['search', 0.5, false]]);
  });

  it("when a concurrent twin's commit won, answers the stored value and neither indexes nor reports a commit", async () => {
    const { commits, calls } = path({ twinWon: true });
    await commits.commit(newPerson(calls), answerAsIs);
    expect(calls.map((c) => c[1])).not.toContain('committed');
    expect(calls.map((c) => c[0])).not.toContain('index');
  });

  it('seals again once when a re-key retired the transform between sealing and committing, and not twice', async () => {
    const once = path({ retirements: 1 });
    await once.commits.commit(newPerson(once.calls), answerAsIs);
    expect(once.calls.filter((c) => c[0] === 'seal')).toHaveLength(2);
    expect(once.calls.at(-1)).toEqual(['index', 'tpl_1']);
    const twice = path({ retirements: 2 });
    await expect(twice.commits.commit(newPerson(twice.calls), answerAsIs)).rejects.toBeInstanceOf(TransformRetired);
  });

  it('runs commits of one segment one at a time, from the catch-up to the index', async () => {
    const { commits, calls } = path();
    await Promise.all([
      commits.commit(newPerson(calls), answerAsIs),
      commits.commit({ ...newPerson(calls), templateId: 'tpl_2' }, answerAsIs),
    ]);
    const order = calls.filter((c) => c[0] === 'catch up' || c[0] === 'index').map((c) => c[1] ?? c[0]);
    expect(order).toEqual(['catch up', 'tpl_1', 'catch up', 'tpl_2']);
  });

  it("seals a party's enrolments under its own template view when it keeps one", async () => {
    const { commits, calls } = path();
    await commits.commit({ ...newPerson(calls), ctx: callOf({ ownTemplateView: true }) }, answerAsIs);
    expect(calls).toContainEqual(['seal', 'rp_metro']);
  });
});
