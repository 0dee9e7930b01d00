import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import type { components } from '../api/schema';
import { useI18n } from '../i18n/i18n';
import { DataTable } from '../ui/data-table';
import { ActionForm, ErrorNotice, Field, Notice } from '../ui/form';
import { useAsync } from '../ui/use-async';
import { when, type PanelProps } from './panel';

type Segment = components['schemas']['Segment'];

/**
 * Regional segments: the list, creating one (administrator), a segment's rules for minors, and re-keying its
 * renewable templates (after a leak, or on schedule).
 */
export function SegmentsPanel({ api, self }: PanelProps) {
  const { t, language } = useI18n();
  const segments = useAsync(() => unwrap(api.GET('/v1/segments')), [api]);
  const [selected, setSelected] = useState<Segment | null>(null);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const mine = (s: Segment) => self.role === 'admin' || self.segments.includes(s.id);
  const create = async () => {
    await unwrap(api.POST('/v1/segments', { body: { id, name } }));
    setId('');
    setName('');
    segments.reload();
  };
  return (
    <section class="card stack" aria-labelledby="segments-title">
      <h2 id="segments-title">{t('console.nav.segments')}</h2>
      <ErrorNotice error={segments.error} />
      {segments.data ? (
        <DataTable
          caption={t('console.nav.segments')}
          rows={segments.data.segments}
          rowKey={(s) => s.id}
          empty={t('segments.empty')}
          columns={[
            { label: 'ID', cell: (s) => <code>{s.id}</code> },
            { label: t('common.name'), cell: (s) => s.name },
            { label: t('common.created'), cell: (s) => when(s.createdAt, language) },
            {
              label: t('common.actions'),
              cell: (s) =>
                mine(s) ? (
                  <button type="button" onClick={() => setSelected(s)}>
                    {t('segments.manage', { name: s.name })}
                  </button>
                ) : null,
            },
          ]}
        />
      ) : null}
      {selected ? <SegmentDetail key={selected.id} segment={selected} api={api} /> : null}
      {self.role === 'admin' ? (
        <>
          <h3>{t('segments.new')}</h3>
          <ActionForm submit={t('segments.create')} onSubmit={create} label={t('segments.new')}>
            <div class="row">
              <Field
                label="ID"
                hint={t('segments.idHint')}
                required
                pattern="[a-z][a-z0-9_-]*"
                value={id}
                onInput={(e) => setId(e.currentTarget.value)}
              />
              <Field label={t('common.name')} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </div>
          </ActionForm>
        </>
      ) : null}
    </section>
  );
}

function SegmentDetail({ segment, api }: { segment: Segment; api: PanelProps['api'] }) {
  const { t } = useI18n();
  const rules = useAsync(
    () => unwrap(api.GET('/v1/segments/{id}/age-rules', { params: { path: { id: segment.id } } })),
    [api, segment.id],
  );
  const [age, setAge] = useState<string | null>(null);
  const [purposes, setPurposes] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [rekeyed, setRekeyed] = useState<{ transformVersion: number; templatesMoved: number } | null>(null);
  const save = async () => {
    setSaved(false);
    await unwrap(
      api.PUT('/v1/segments/{id}/age-rules', {
        params: { path: { id: segment.id } },
        body: {
          ageOfConsent: Number(age ?? rules.data?.ageOfConsent ?? 18),
          minorPurposes: (purposes ?? rules.data?.minorPurposes.join(', ') ?? '')
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        },
      }),
    );
    setSaved(true);
    rules.reload();
  };
  const rekey = async () => {
    if (!confirm(t('segments.confirmRekey', { name: segment.name }))) return;
    setRekeyed(await unwrap(api.POST('/v1/segments/{id}/rekey', { params: { path: { id: segment.id } }, body: {} })));
  };
  return (
    <article class="card stack" aria-labelledby="segment-detail-title">
      <h3 id="segment-detail-title">{segment.name}</h3>
      <ErrorNotice error={rules.error} />
      {rules.data ? (
        <ActionForm submit={t('common.save')} onSubmit={save} label={t('segments.ageRules')}>
          <div class="row">
            <Field
              label={t('segments.ageOfConsent')}
              type="number"
              min={0}
              max={25}
              value={age ?? String(rules.data.ageOfConsent)}
              onInput={(e) => setAge(e.currentTarget.value)}
            />
            <Field
              label={t('segments.minorPurposes')}
              hint={t('principals.purposesHint')}
              value={purposes ?? rules.data.minorPurposes.join(', ')}
              onInput={(e) => setPurposes(e.currentTarget.value)}
            />
          </div>
          {saved ? <Notice kind="ok">{t('common.saved')}</Notice> : null}
        </ActionForm>
      ) : null}
      <h3>{t('segments.rekey')}</h3>
      <p class="muted">{t('segments.rekeyIntro')}</p>
      <ActionForm submit={t('segments.rekey')} onSubmit={rekey} danger label={t('segments.rekey')}>
        {rekeyed ? (
          <Notice kind="ok">
            {t('segments.rekeyed', { version: rekeyed.transformVersion, moved: rekeyed.templatesMoved })}
          </Notice>
        ) : null}
      </ActionForm>
    </article>
  );
}
