import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { ActionForm, Field, Notice, SelectField } from '../ui/form';
import type { PanelProps } from './panel';

type Recorded = { id: string; affectedCitizens: number; notificationsQueued: number; credentialsRevoked: boolean };

/**
 * Recording a leak incident: who was responsible, which segment or relying party, when; the registry
 * re-keys, revokes if asked and notifies every affected citizen once.
 */
export function IncidentsPanel({ api }: PanelProps) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'operator' | 'relying_party'>('relying_party');
  const [responsible, setResponsible] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [relyingPartyId, setRelyingPartyId] = useState('');
  const [description, setDescription] = useState('');
  const [contact, setContact] = useState('');
  const [rekey, setRekey] = useState(true);
  const [revoke, setRevoke] = useState(false);
  const [recorded, setRecorded] = useState<Recorded | null>(null);
  const submit = async () => {
    if (!confirm(t('incidents.confirm'))) return;
    setRecorded(
      await unwrap(
        api.POST('/v1/incidents', {
          body: {
            responsible: { kind, id: responsible.trim() },
            scope: {
              ...(segmentId.trim() ? { segmentId: segmentId.trim() } : {}),
              ...(relyingPartyId.trim() ? { relyingPartyId: relyingPartyId.trim() } : {}),
            },
            description,
            contact,
            rekey,
            revokeCredentials: revoke,
          },
        }),
      ),
    );
  };
  return (
    <section class="card stack" aria-labelledby="incidents-title">
      <h2 id="incidents-title">{t('console.nav.incidents')}</h2>
      <p class="muted">{t('incidents.intro')}</p>
      {recorded ? (
        <Notice kind="ok">
          {t('incidents.recorded', {
            id: recorded.id,
            affected: recorded.affectedCitizens,
            queued: recorded.notificationsQueued,
          })}
        </Notice>
      ) : null}
      <ActionForm submit={t('incidents.record')} onSubmit={submit} danger label={t('incidents.record')}>
        <div class="row">
          <SelectField
            label={t('incidents.responsibleKind')}
            value={kind}
            options={[
              { value: 'relying_party', label: t('incidents.kind.relying_party') },
              { value: 'operator', label: t('incidents.kind.operator') },
            ]}
            onChange={(v) => setKind(v as typeof kind)}
          />
          <Field
            label={t('incidents.responsibleId')}
            required
            value={responsible}
            onInput={(e) => setResponsible(e.currentTarget.value)}
          />
        </div>
        <div class="row">
          <Field
            label={t('incidents.scopeSegment')}
            value={segmentId}
            onInput={(e) => setSegmentId(e.currentTarget.value)}
          />
          <Field
            label={t('incidents.scopeParty')}
            value={relyingPartyId}
            onInput={(e) => setRelyingPartyId(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="incident-description">{t('incidents.description')}</label>
          <textarea
            id="incident-description"
            required
            rows={4}
            maxLength={4000}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </div>
        <Field
          label={t('incidents.contact')}
          hint={t('incidents.contactHint')}
          required
          value={contact}
          onInput={(e) => setContact(e.currentTarget.value)}
        />
        <div class="checks">
          <label>
            <input type="checkbox" checked={rekey} onChange={(e) => setRekey(e.currentTarget.checked)} />
            {t('incidents.rekey')}
          </label>
          <label>
            <input type="checkbox" checked={revoke} onChange={(e) => setRevoke(e.currentTarget.checked)} />
            {t('incidents.revoke')}
          </label>
        </div>
      </ActionForm>
    </section>
  );
}
