import { useEffect, useMemo, useState } from 'preact/hooks';
import { consoleCredentials } from './credentials';
import { unwrap } from '../api/errors';
import { createOblikClient } from '../api/oblik-client';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n';
import { KeySignIn, type Self } from '../ui/key-sign-in';
import { Layout } from '../ui/layout';
import { AdjudicationsPanel } from './adjudications-panel';
import { IncidentsPanel } from './incidents-panel';
import { KeysPanel } from './keys-panel';
import { MetricsPanel } from './metrics-panel';
import { PersonsPanel } from './persons-panel';
import { PrincipalsPanel } from './principals-panel';
import type { PanelProps } from './panel';
import { SegmentsPanel } from './segments-panel';

const credentials = consoleCredentials;

interface Section {
  readonly id: string;
  readonly title: MessageKey;
  readonly adminOnly: boolean;
  readonly Panel: (props: PanelProps) => preact.JSX.Element;
}

const SECTIONS: readonly Section[] = [
  { id: 'adjudications', title: 'console.nav.adjudications', adminOnly: false, Panel: AdjudicationsPanel },
  { id: 'persons', title: 'console.nav.persons', adminOnly: false, Panel: PersonsPanel },
  { id: 'segments', title: 'console.nav.segments', adminOnly: false, Panel: SegmentsPanel },
  { id: 'incidents', title: 'console.nav.incidents', adminOnly: false, Panel: IncidentsPanel },
  {
    id: 'relying-parties',
    title: 'console.nav.relyingParties',
    adminOnly: true,
    Panel: (p) => <PrincipalsPanel {...p} kind="relying_party" />,
  },
  {
    id: 'operators',
    title: 'console.nav.operators',
    adminOnly: true,
    Panel: (p) => <PrincipalsPanel {...p} kind="operator" />,
  },
  { id: 'keys', title: 'console.nav.keys', adminOnly: true, Panel: KeysPanel },
  { id: 'metrics', title: 'console.nav.metrics', adminOnly: false, Panel: MetricsPanel },
];

function useHash(): string {
  const [hash, setHash] = useState(location.hash.slice(1));
  useEffect(() => {
    const update = () => setHash(location.hash.slice(1));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

/**
 * The operator console: sign in with an administrator or operator key (kept in this tab's sessionStorage),
 * then one section at a time, chosen in the side navigation (the URL's #fragment, so Back works).
 */
export function ConsoleApp() {
  const { t } = useI18n();
  const api = useMemo(() => createOblikClient({ credential: () => credentials.get() }), []);
  const [self, setSelf] = useState<Self | null>(null);
  const [checking, setChecking] = useState(credentials.get() !== null);
  const hash = useHash();

  useEffect(() => {
    if (!credentials.get()) return;
    unwrap(api.GET('/v1/me'))
      .then(
        (me) => setSelf(me),
        () => credentials.clear(),
      )
      .finally(() => setChecking(false));
  }, [api]);

  const signOut = () => {
    credentials.clear();
    setSelf(null);
  };

  if (!self) {
    return (
      <Layout title={t('console.title')}>
        {checking ? (
          <p aria-live="polite">{t('common.loading')}</p>
        ) : (
          <KeySignIn
            intro={t('console.signInIntro')}
            accept={(s) => s.role === 'admin' || s.role === 'operator'}
            refusal={t('console.wrongRole')}
            onSignedIn={(key, me) => {
              credentials.set(key);
              setSelf(me);
            }}
          />
        )}
      </Layout>
    );
  }

  const sections = SECTIONS.filter((s) => !s.adminOnly || self.role === 'admin');
  const current = sections.find((s) => s.id === hash) ?? sections[0]!;
  const who = (
    <>
      {self.name} · {t(self.role === 'admin' ? 'console.role.admin' : 'console.role.operator')}{' '}
      <button type="button" onClick={signOut}>
        {t('common.signOut')}
      </button>
    </>
  );
  return (
    <Layout title={t('console.title')} who={who}>
      <div class="console">
        <nav class="console-nav card" aria-label={t('console.sections')}>
          <ul>
            {sections.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`} aria-current={s.id === current.id ? 'page' : undefined}>
                  {t(s.title)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div>
          <current.Panel api={api} self={self} key={current.id} />
        </div>
      </div>
    </Layout>
  );
}
