import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { DataTable } from '../ui/data-table';
import { ActionForm, CheckboxGroup, ErrorNotice, Field, SecretOnce } from '../ui/form';
import { useAsync } from '../ui/use-async';
import { when, type PanelProps } from './panel';

const RIGHTS = ['enrol', 'verify', 'identify'] as const;
const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Relying parties or operators (administrator): the list, registering one (its key is shown once, here, and
 * never again) and revoking a credential.
 */
export function PrincipalsPanel({ api, kind }: PanelProps & { kind: 'relying_party' | 'operator' }) {
  const { t, language } = useI18n();
  const principals = useAsync(async () => {
    if (kind === 'operator') return (await unwrap(api.GET('/v1/operators'))).operators;
    return (await unwrap(api.GET('/v1/relying-parties'))).relyingParties;
  }, [api, kind]);
  const segments = useAsync(() => unwrap(api.GET('/v1/segments')), [api]);
  const [issued, setIssued] = useState<{ id: string; apiKey?: string } | null>(null);
  const [name, setName] = useState('');
  const [chosenSegments, setChosenSegments] = useState<string[]>([]);
  const [purposes, setPurposes] = useState('');
  const [rights, setRights] = useState<string[]>(['enrol', 'verify']);
  const [revokeError, setRevokeError] = useState<unknown>(null);
  const title = kind === 'operator' ? t('console.nav.operators') : t('console.nav.relyingParties');

  const register = async () => {
    const created =
      kind === 'operator'
        ? await unwrap(api.POST('/v1/operators', { body: { name, segments: chosenSegments } }))
        : await unwrap(
            api.POST('/v1/relying-parties', {
              body: {
                name,
                segments: chosenSegments,
                purposes: list(purposes),
                rights: rights as (typeof RIGHTS)[number][],
              },
            }),
          );
    setIssued(created);
    setName('');
    principals.reload();
  };
  const revoke = async (id: string) => {
    if (!confirm(t('principals.confirmRevoke', { id }))) return;
    setRevokeError(null);
    const path = kind === 'operator' ? '/v1/operators/{id}' : '/v1/relying-parties/{id}';
    try {
      await unwrap(api.DELETE(path, { params: { path: { id } } }));
      principals.reload();
    } catch (e) {
      setRevokeError(e);
    }
  };

  return (
    <section class="card stack" aria-labelledby="principals-title">
      <h2 id="principals-title">{title}</h2>
      <ErrorNotice error={principals.error ?? revokeError} />
      {principals.data ? (
        <DataTable
          caption={title}
          rows={principals.data}
          rowKey={(p) => p.id}
          empty={t('principals.empty')}
          columns={[
            { label: t('common.name'), cell: (p) => p.name },
            { label: 'ID', cell: (p) => <code>{p.id}</code> },
            { label: t('common.segments'), cell: (p) => p.segments.join(', ') },
            ...(kind === 'relying_party'
              ? [
                  {
                    label: t('principals.purposes'),
                    cell: (p: (typeof principals.data)[number]) => p.purposes.join(', '),
                  },
                  { label: t('principals.rights'), cell: (p: (typeof principals.data)[number]) => p.rights.join(', ') },
                ]
              : []),
            { label: t('common.created'), cell: (p) => when(p.createdAt, language) },
            {
              label: t('common.status'),
              cell: (p) =>
                p.revokedAt ? (
                  t('principals.revokedAt', { at: when(p.revokedAt, language) })
                ) : (
                  <button type="button" class="danger" onClick={() => void revoke(p.id)}>
                    {t('principals.revoke')}
                  </button>
                ),
            },
          ]}
        />
      ) : null}
      <h3>{kind === 'operator' ? t('principals.newOperator') : t('principals.newRelyingParty')}</h3>
      {issued?.apiKey ? <SecretOnce label={t('principals.keyOf', { id: issued.id })} value={issued.apiKey} /> : null}
      <ActionForm submit={t('principals.register')} onSubmit={register} label={t('principals.register')}>
        <Field
          label={t('common.name')}
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <CheckboxGroup
          legend={t('common.segments')}
          options={(segments.data?.segments ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.id})` }))}
          value={chosenSegments}
          onChange={setChosenSegments}
        />
        {kind === 'relying_party' ? (
          <>
            <Field
              label={t('principals.purposes')}
              hint={t('principals.purposesHint')}
              required
              value={purposes}
              onInput={(e) => setPurposes(e.currentTarget.value)}
            />
            <CheckboxGroup
              legend={t('principals.rights')}
              options={RIGHTS.map((r) => ({ value: r, label: t(`principals.right.${r}`) }))}
              value={rights}
              onChange={setRights}
            />
          </>
        ) : null}
      </ActionForm>
    </section>
  );
}
