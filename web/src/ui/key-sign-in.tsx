import { useState } from 'preact/hooks';
import { unwrap } from '../api/errors';
import { createOblikClient } from '../api/oblik-client';
import type { components } from '../api/schema';
import { useI18n } from '../i18n/i18n';
import { ActionForm, Field } from './form';

export type Self = components['schemas']['Self'];

/**
 * Signing in with an API key: the key is checked against `GET /v1/me` (which also says what it may do) and
 * handed to the page, which keeps it in sessionStorage. `accept` refuses keys of the wrong role.
 */
export function KeySignIn(props: {
  intro: string;
  accept: (self: Self) => boolean;
  refusal: string;
  onSignedIn: (key: string, self: Self) => void;
}) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const submit = async () => {
    const candidate = key.trim();
    const self = await unwrap(createOblikClient({ credential: () => candidate }).GET('/v1/me'));
    if (!props.accept(self)) throw new Error(props.refusal);
    props.onSignedIn(candidate, self);
  };
  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('common.signIn')}</h2>
      <p class="muted">{props.intro}</p>
      <ActionForm submit={t('common.signIn')} onSubmit={submit} label={t('common.signIn')}>
        <Field
          label={t('common.apiKey')}
          hint={t('common.apiKeyHint')}
          type="password"
          name="api-key"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
      </ActionForm>
    </section>
  );
}
