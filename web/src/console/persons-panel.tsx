import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import type { components } from '../api/schema';
import { useI18n } from '../i18n/i18n';
import { DataTable } from '../ui/data-table';
import { ActionForm, Field, Notice } from '../ui/form';
import { when, type PanelProps } from './panel';

type PersonRecord = components['schemas']['PersonRecord'];

/**
 * A person's record by citizen id (what an operator may see: metadata, consents, locks, guardians, template
 * provenance; never an image or a vector), guardianships, a one-time sign-in code and erasure.
 */
export function PersonsPanel({ api }: PanelProps) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [person, setPerson] = useState<PersonRecord | null>(null);
  const look = async (personId = id.trim()) => {
    setPerson(await unwrap(api.GET('/v1/persons/{personId}', { params: { path: { personId } } })));
  };
  return (
    <section class="card stack" aria-labelledby="persons-title">
      <h2 id="persons-title">{t('console.nav.persons')}</h2>
      <ActionForm submit={t('persons.find')} onSubmit={() => look()} label={t('persons.find')}>
        <Field
          label={t('persons.citizenId')}
          required
          autocomplete="off"
          value={id}
          onInput={(e) => setId(e.currentTarget.value)}
        />
      </ActionForm>
      {person ? (
        <PersonRecordView key={person.citizenId} person={person} api={api} reload={() => look(person.citizenId)} />
      ) : null}
    </section>
  );
}

function PersonRecordView({
  person,
  api,
  reload,
}: {
  person: PersonRecord;
  api: PanelProps['api'];
  reload: () => Promise<void>;
}) {
  const { t, language } = useI18n();
  const [guardian, setGuardian] = useState('');
  const [code, setCode] = useState<{ channel: string; sentTo: string; expiresAt: string } | null>(null);
  const [erased, setErased] = useState<number | null>(null);
  const path = { params: { path: { personId: person.citizenId } } };
  const addGuardian = async () => {
    await unwrap(api.POST('/v1/persons/{personId}/guardians', { ...path, body: { guardianId: guardian.trim() } }));
    setGuardian('');
    await reload();
  };
  const removeGuardian = async (guardianId: string) => {
    await unwrap(
      api.DELETE('/v1/persons/{personId}/guardians/{guardianId}', {
        params: { path: { personId: person.citizenId, guardianId } },
      }),
    );
    await reload();
  };
  const erase = async () => {
    const typed = prompt(t('persons.confirmErase', { id: person.citizenId }));
    if (typed?.trim() !== person.citizenId) return;
    setErased((await unwrap(api.DELETE('/v1/persons/{personId}', path))).templatesErased);
  };
  return (
    <article class="stack" aria-labelledby="person-title">
      <h3 id="person-title">
        <code>{person.citizenId}</code>
      </h3>
      <dl class="figures">
        <div class="figure">
          <dt>{t('common.segment')}</dt>
          <dd>{person.segment}</dd>
        </div>
        <div class="figure">
          <dt>{t('common.status')}</dt>
          <dd>{t(`persons.status.${person.status}`)}</dd>
        </div>
        <div class="figure">
          <dt>{t('persons.enrolled')}</dt>
          <dd>{when(person.createdAt, language)}</dd>
        </div>
        <div class="figure">
          <dt>{t('persons.enrolledBy')}</dt>
          <dd>
            <code>{person.enrolledBy}</code>
          </dd>
        </div>
        <div class="figure">
          <dt>{t('persons.minor')}</dt>
          <dd>{person.minor ? t('common.yes') : t('common.no')}</dd>
        </div>
      </dl>
      <DataTable
        caption={t('persons.consents')}
        rows={person.consents}
        rowKey={(c) => c.id}
        empty={t('persons.noConsents')}
        columns={[
          { label: t('persons.party'), cell: (c) => <code>{c.relyingPartyId}</code> },
          { label: t('principals.purposes'), cell: (c) => c.purpose },
          { label: t('persons.granted'), cell: (c) => when(c.grantedAt, language) },
          { label: t('persons.expires'), cell: (c) => when(c.expiresAt, language) },
          { label: t('common.status'), cell: (c) => (c.active ? t('persons.active') : t('persons.inactive')) },
        ]}
      />
      <DataTable
        caption={t('persons.templates')}
        rows={person.templates}
        rowKey={(x) => x.templateId}
        empty={t('persons.noTemplates')}
        columns={[
          { label: t('persons.enrolled'), cell: (x) => when(x.createdAt, language) },
          { label: t('adjudications.channel'), cell: (x) => x.channel },
          { label: t('persons.modelPack'), cell: (x) => x.modelPack },
          { label: t('persons.transform'), numeric: true, cell: (x) => x.transformVersion },
        ]}
      />
      <DataTable
        caption={t('persons.locks')}
        rows={person.locks}
        rowKey={(l) => l.id}
        empty={t('persons.noLocks')}
        columns={[
          { label: t('principals.purposes'), cell: (l) => l.purpose ?? t('persons.allPurposes') },
          { label: t('common.created'), cell: (l) => when(l.createdAt, language) },
          { label: t('common.status'), cell: (l) => (l.active ? t('persons.active') : t('persons.inactive')) },
        ]}
      />
      <h4>{t('persons.guardians')}</h4>
      <DataTable
        caption={t('persons.guardians')}
        rows={person.guardians}
        rowKey={(g) => g}
        empty={t('persons.noGuardians')}
        columns={[
          { label: t('persons.citizenId'), cell: (g) => <code>{g}</code> },
          {
            label: t('common.actions'),
            cell: (g) => (
              <button type="button" onClick={() => void removeGuardian(g)}>
                {t('persons.endGuardianship')}
              </button>
            ),
          },
        ]}
      />
      <ActionForm submit={t('persons.addGuardian')} onSubmit={addGuardian} label={t('persons.addGuardian')}>
        <Field
          label={t('persons.guardianId')}
          hint={t('persons.guardianHint')}
          required
          value={guardian}
          onInput={(e) => setGuardian(e.currentTarget.value)}
        />
      </ActionForm>
      <h4>{t('persons.signInCode')}</h4>
      <p class="muted">{t('persons.signInCodeIntro')}</p>
      <ActionForm
        submit={t('persons.issueCode')}
        label={t('persons.signInCode')}
        onSubmit={async () => setCode(await unwrap(api.POST('/v1/persons/{personId}/sign-in-codes', path)))}
      >
        {code ? (
          <Notice kind="ok">
            {t('persons.codeIssued', { sentTo: code.sentTo, expires: when(code.expiresAt, language) })}
          </Notice>
        ) : null}
      </ActionForm>
      <h4>{t('persons.erase')}</h4>
      <p class="muted">{t('persons.eraseIntro')}</p>
      <ActionForm submit={t('persons.erase')} danger onSubmit={erase} label={t('persons.erase')}>
        {erased !== null ? <Notice kind="ok">{t('persons.erased', { n: erased })}</Notice> : null}
      </ActionForm>
    </article>
  );
}
