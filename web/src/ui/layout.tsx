import type { ComponentChildren } from 'preact';
import { LANGUAGE_NAMES, LANGUAGES, useI18n } from '../i18n/i18n';

/** The language buttons: each language named in itself, the current one pressed. */
export function LanguageSwitcher() {
  const { language, setLanguage, t } = useI18n();
  return (
    <nav class="languages" aria-label={t('common.language')}>
      {LANGUAGES.map((l) => (
        <button type="button" key={l} lang={l} aria-pressed={l === language} onClick={() => setLanguage(l)}>
          {LANGUAGE_NAMES[l]}
        </button>
      ))}
    </nav>
  );
}

/**
 * The frame of every page: a skip link, the header (brand, page title, who is signed in, languages) and the
 * main landmark.
 */
export function Layout(props: { title: string; who?: ComponentChildren; children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <>
      <a class="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header class="site-header">
        <span class="brand">Oblik</span>
        <h1>{props.title}</h1>
        {props.who ? <div class="who">{props.who}</div> : null}
        <LanguageSwitcher />
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
