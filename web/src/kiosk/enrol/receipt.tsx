import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../../i18n/i18n';
import type { Enrolment } from './enrol-app';

/**
 * The citizen's enrolment slip, printable on its own (the print stylesheet hides everything else). The desk
 * hands it over and keeps nothing: the next person starts from a clean page.
 */
export function Receipt(props: { enrolment: Enrolment; party: string; onNext: () => void }) {
  const { t, language } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const receipt = props.enrolment.receipt;
  return (
    <section class="card receipt stack" aria-labelledby="receipt-title" data-testid="receipt">
      <h2 id="receipt-title" ref={heading} tabIndex={-1}>
        {t('receipt.title')}
      </h2>
      {receipt ? (
        <>
          <p>{t('receipt.citizenId')}</p>
          <p class="citizen-id" data-testid="citizen-id">
            {receipt.citizenId}
          </p>
          <dl>
            <dt>{t('common.segment')}</dt>
            <dd>{receipt.segment}</dd>
            <dt>{t('receipt.enrolledAt')}</dt>
            <dd>{new Date(receipt.enrolledAt).toLocaleString(language)}</dd>
            <dt>{t('receipt.enrolledBy')}</dt>
            <dd>
              {props.party} (<code>{receipt.enrolledBy}</code>)
            </dd>
            <dt>{t('receipt.consents')}</dt>
            <dd>{receipt.consents.length ? receipt.consents.join(', ') : t('receipt.noConsents')}</dd>
          </dl>
          <p class="muted">{t('receipt.keepIt')}</p>
        </>
      ) : (
        <p>{t('receipt.missing')}</p>
      )}
      <div class="row no-print">
        <button type="button" class="primary" onClick={() => print()}>
          {t('receipt.print')}
        </button>
        <button type="button" onClick={props.onNext}>
          {t('receipt.next')}
        </button>
      </div>
    </section>
  );
}
