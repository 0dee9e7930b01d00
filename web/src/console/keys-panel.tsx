import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { DataTable } from '../ui/data-table';
import { ErrorNotice, Notice } from '../ui/form';
import { useAsync } from '../ui/use-async';
import { when, type PanelProps } from './panel';

/** Data keys per segment (administrator): versions, what each seals, and rotating a segment's key. */
export function KeysPanel({ api }: PanelProps) {
  const { t, language } = useI18n();
  const keys = useAsync(() => unwrap(api.GET('/v1/keys')), [api]);
  const [rotated, setRotated] = useState<{ segment: string; version: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rotate = async (segment: string) => {
    if (!confirm(t('keys.confirmRotate', { segment }))) return;
    setError(null);
    try {
      setRotated(await unwrap(api.POST('/v1/segments/{id}/keys/rotate', { params: { path: { id: segment } } })));
      keys.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section class="card stack" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('console.nav.keys')}</h2>
      <p class="muted">{t('keys.intro')}</p>
      <ErrorNotice error={keys.error ?? error} />
      {rotated ? <Notice kind="ok">{t('keys.rotated', rotated)}</Notice> : null}
      {keys.data ? (
        <DataTable
          caption={t('console.nav.keys')}
          rows={keys.data.keys}
          rowKey={(k) => `${k.segment}-${k.version}`}
          empty={t('keys.empty')}
          columns={[
            { label: t('common.segment'), cell: (k) => k.segment },
            { label: t('keys.version'), numeric: true, cell: (k) => k.version },
            { label: t('common.status'), cell: (k) => t(k.state === 'active' ? 'keys.active' : 'keys.retired') },
            { label: t('keys.masterKey'), cell: (k) => <code>{k.masterKeyId}</code> },
            { label: t('keys.templates'), numeric: true, cell: (k) => k.templates },
            { label: t('common.created'), cell: (k) => when(k.createdAt, language) },
            {
              label: t('common.actions'),
              cell: (k) =>
                k.state === 'active' ? (
                  <button type="button" onClick={() => void rotate(k.segment)}>
                    {t('keys.rotate')}
                  </button>
                ) : null,
            },
          ]}
        />
      ) : null}
    </section>
  );
}
