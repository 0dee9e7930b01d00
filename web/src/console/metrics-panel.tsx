import { useEffect } from 'preact/hooks';
import { ApiError } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { DataTable } from '../ui/data-table';
import { ErrorNotice } from '../ui/form';
import { useAsync } from '../ui/use-async';
import { consoleCredentials } from './credentials';
import { overview, parsePrometheus } from './prometheus';

const REFRESH_MS = 5000;

/**
 * Live figures from the instance's Prometheus metrics, refreshed every 5 s, read through `GET /v1/metrics` with
 * the console's key (the scrape endpoint itself sits on a port of its own, for Prometheus only).
 */
export function MetricsPanel() {
  const { t } = useI18n();
  const scrape = useAsync(async () => {
    const key = consoleCredentials.get();
    const response = await fetch('/v1/metrics', { headers: key ? { authorization: `Bearer ${key}` } : {} });
    if (!response.ok) throw new ApiError(response.status, `http.${response.status}`, response.statusText);
    return overview(parsePrometheus(await response.text()));
  }, []);
  const { reload } = scrape;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const o = scrape.data;
  const n = (v: number | null, digits = 0) => (v === null ? '—' : v.toFixed(digits));
  return (
    <section class="card stack" aria-labelledby="metrics-title">
      <h2 id="metrics-title">{t('console.nav.metrics')}</h2>
      <p class="muted">{t('metrics.intro')}</p>
      <ErrorNotice error={scrape.error} />
      {o ? (
        <>
          <div class="figures" aria-live="polite">
            <div class="figure">
              {t('metrics.requests')} <strong data-testid="metric-requests">{o.requests}</strong>
            </div>
            <div class="figure">
              {t('metrics.meanLatency')} <strong>{n(o.meanLatencyMs, 1)} ms</strong>
            </div>
            <div class="figure">
              {t('metrics.errors4xx')} <strong>{o.errors4xx}</strong>
            </div>
            <div class="figure">
              {t('metrics.errors5xx')} <strong>{o.errors5xx}</strong>
            </div>
            <div class="figure">
              {t('metrics.templates')} <strong data-testid="metric-templates">{o.templates}</strong>
            </div>
            <div class="figure">
              {t('metrics.memory')} <strong>{n(o.residentMb)} MiB</strong>
            </div>
          </div>
          <DataTable
            caption={t('metrics.byRoute')}
            rows={o.byRoute.slice(0, 15)}
            rowKey={(r) => r.route}
            empty={t('metrics.none')}
            columns={[
              { label: t('metrics.route'), cell: (r) => <code>{r.route}</code> },
              { label: t('metrics.requests'), numeric: true, cell: (r) => r.requests },
              { label: t('metrics.meanLatency'), numeric: true, cell: (r) => `${n(r.meanMs, 1)} ms` },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}
