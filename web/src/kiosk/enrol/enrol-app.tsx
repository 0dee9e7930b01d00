import { useMemo, useState } from 'preact/hooks';
import { CredentialStore } from '../../api/credential-store';
import { createOblikClient } from '../../api/oblik-client';
import type { components } from '../../api/schema';
import { useI18n } from '../../i18n/i18n';
import { KeySignIn, type Self } from '../../ui/key-sign-in';
import { Layout } from '../../ui/layout';
import { CaptureStep, type Applicant } from './capture-step';
import { Receipt } from './receipt';

export type Enrolment = components['schemas']['Enrolment'];

const credentials = new CredentialStore('oblik.kiosk.key');

/**
 * The enrolment desk: staff sign the kiosk in with their relying party's key (for this tab only), then for each
 * person: choose segment and consents, capture with live guidance, enrol, print the slip, next person.
 */
export function EnrolApp() {
  const { t } = useI18n();
  const api = useMemo(() => createOblikClient({ credential: () => credentials.get() }), []);
  const [self, setSelf] = useState<Self | null>(null);
  const [enrolled, setEnrolled] = useState<{ enrolment: Enrolment; applicant: Applicant } | null>(null);
  const [round, setRound] = useState(0);

  if (!self || !credentials.get()) {
    return (
      <Layout title={t('kiosk.title')}>
        <KeySignIn
          intro={t('kiosk.signInIntro')}
          accept={(s) => s.role === 'relying_party' && s.rights.includes('enrol')}
          refusal={t('kiosk.wrongRole')}
          onSignedIn={(key, me) => {
            credentials.set(key);
            setSelf(me);
          }}
        />
      </Layout>
    );
  }
  const who = (
    <>
      {self.name}{' '}
      <button
        type="button"
        class="no-print"
        onClick={() => {
          credentials.clear();
          setSelf(null);
        }}
      >
        {t('common.signOut')}
      </button>
    </>
  );
  return (
    <Layout title={t('kiosk.title')} who={who}>
      {enrolled ? (
        <Receipt
          enrolment={enrolled.enrolment}
          party={self.name}
          onNext={() => {
            setEnrolled(null);
            setRound((r) => r + 1);
          }}
        />
      ) : (
        <CaptureStep
          key={round}
          api={api}
          self={self}
          onEnrolled={(enrolment, applicant) => setEnrolled({ enrolment, applicant })}
        />
      )}
    </Layout>
  );
}
