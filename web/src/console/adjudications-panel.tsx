import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import type { components } from '../api/schema';
import { useI18n } from '../i18n/i18n';
import { DataTable } from '../ui/data-table';
import { ActionForm, ErrorNotice, Notice, SelectField } from '../ui/form';
import { useAsync } from '../ui/use-async';
import { when, type PanelProps } from './panel';

type Adjudication = components['schemas']['Adjudication'];
type Status = Adjudication['status'];
const STATUSES: readonly Status[] = ['open', 'same_person', 'different_people'];

/**
 * Duplicate-enrolment cases: a face refused at enrolment because it scored above the duplicate threshold
 * against an enrolled person. No image is stored, so the operator decides from the score, the channel and
 * the documents presented at the desk, shown side by side.
 */
export function AdjudicationsPanel({ api }: PanelProps) {
  const { t, language } = useI18n();
  const [status, setStatus] = useState<Status>('open');
  const [selected, setSelected] = useState<Adjudication | null>(null);
  const cases = useAsync(
    () => unwrap(api.GET('/v1/adjudications', { params: { query: { status, limit: 200 } } })),
    [api, status],
  );
  return (
    <section class="card stack" aria-labelledby="adjudications-title">
      <h2 id="adjudications-title">{t('console.nav.adjudications')}</h2>
      <p class="muted">{t('adjudications.intro')}</p>
      <div class="row">
        <SelectField
          label={t('adjudications.status')}
          value={status}
          options={STATUSES.map((s) => ({ value: s, label: t(`adjudications.status.${s}`) }))}
          onChange={(v) => {
            setStatus(v as Status);
            setSelected(null);
          }}
        />
        <button type="button" onClick={cases.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorNotice error={cases.error} />
      {cases.data ? (
        <DataTable
          caption={t('adjudications.caption', { n: cases.data.adjudications.length })}
          rows={cases.data.adjudications}
          rowKey={(a) => a.id}
          empty={t('adjudications.empty')}
          columns={[
            { label: t('common.created'), cell: (a) => when(a.createdAt, language) },
            { label: t('common.segment'), cell: (a) => a.segment },
            { label: t('adjudications.channel'), cell: (a) => a.channel },
            { label: t('adjudications.score'), numeric: true, cell: (a) => a.score.toFixed(3) },
            { label: t('adjudications.status'), cell: (a) => t(`adjudications.status.${a.status}`) },
            {
              label: t('common.actions'),
              cell: (a) => (
                <button
                  type="button"
                  onClick={() => setSelected(a)}
                  aria-label={t('adjudications.openCase', { id: a.id })}
                >
                  {a.status === 'open' ? t('adjudications.review') : t('common.details')}
                </button>
              ),
            },
          ]}
        />
      ) : null}
      {selected ? (
        <CaseReview
          key={selected.id}
          adjudication={selected}
          api={api}
          onResolved={(resolved) => {
            setSelected(resolved);
            cases.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function CaseReview(props: {
  adjudication: Adjudication;
  api: PanelProps['api'];
  onResolved: (a: Adjudication) => void;
}) {
  const { t, language } = useI18n();
  const a = props.adjudication;
  const [decision, setDecision] = useState<'same_person' | 'different_people'>('same_person');
  const [note, setNote] = useState('');
  const resolve = async () => {
    const resolved = await unwrap(
      props.api.POST('/v1/adjudications/{id}/resolution', {
        params: { path: { id: a.id } },
        body: note.trim() ? { decision, note: note.trim() } : { decision },
      }),
    );
    props.onResolved(resolved);
  };
  return (
    <article class="card stack" aria-labelledby="case-title">
      <h3 id="case-title">{t('adjudications.case', { id: a.id })}</h3>
      <div class="side-by-side">
        <dl aria-label={t('adjudications.newCapture')}>
          <dt>{t('adjudications.newCapture')}</dt>
          <dd>
            {t('adjudications.channel')}: {a.channel}
          </dd>
          <dt>{t('adjudications.requestedBy')}</dt>
          <dd>
            <code>{a.requestedBy}</code>
          </dd>
          <dt>{t('common.created')}</dt>
          <dd>{when(a.createdAt, language)}</dd>
        </dl>
        <div class="score" aria-label={t('adjudications.score')}>
          {a.score.toFixed(3)}
          <small>{t('adjudications.similarity')}</small>
        </div>
        <dl aria-label={t('adjudications.enrolledPerson')}>
          <dt>{t('adjudications.enrolledPerson')}</dt>
          <dd>
            <code>{a.candidatePersonId}</code>
          </dd>
          <dt>{t('common.segment')}</dt>
          <dd>{a.segment}</dd>
        </dl>
      </div>
      <p class="muted">{t('adjudications.noImages')}</p>
      {a.status === 'open' ? (
        <ActionForm submit={t('adjudications.resolve')} onSubmit={resolve} label={t('adjudications.resolve')}>
          <fieldset class="field">
            <legend>{t('adjudications.decision')}</legend>
            {(['same_person', 'different_people'] as const).map((d) => (
              <label key={d} class="checks">
                <input
                  type="radio"
                  name="decision"
                  value={d}
                  checked={decision === d}
                  onChange={() => setDecision(d)}
                />
                {t(`adjudications.status.${d}`)}
              </label>
            ))}
          </fieldset>
          <div class="field">
            <label for="case-note">{t('adjudications.note')}</label>
            <textarea
              id="case-note"
              rows={3}
              maxLength={2000}
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
          </div>
        </ActionForm>
      ) : (
        <Notice kind="ok">
          {t('adjudications.resolvedAs', { decision: t(`adjudications.status.${a.status}`) })}{' '}
          {a.resolvedBy ? `${a.resolvedBy}, ${when(a.resolvedAt, language)}` : ''}
          {a.note ? ` — ${a.note}` : ''}
        </Notice>
      )}
    </article>
  );
}
