import type { ComponentChildren, InputHTMLAttributes, TargetedEvent } from 'preact';
import { useId, useState } from 'preact/hooks';
import { ApiError } from '../api/errors';
import { useI18n } from '../i18n/i18n';

/** A labelled input: the label is tied to the control by id, and the hint by aria-describedby. */
export interface FieldProps {
  readonly label: string;
  readonly hint?: string;
  readonly value: string;
  readonly onInput: (event: TargetedEvent<HTMLInputElement>) => void;
  readonly type?: 'text' | 'password' | 'number' | 'date' | 'email';
  readonly name?: string;
  readonly required?: boolean;
  readonly autocomplete?: string;
  readonly spellcheck?: boolean;
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly maxLength?: number;
}

export function Field(props: FieldProps) {
  const id = useId();
  const { label, hint, ...input } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {/* Preact types each input type apart; the props above allow only text-like types. */}
      <input
        id={id}
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...({ ...input, type: input.type ?? 'text' } as InputHTMLAttributes)}
      />
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** A labelled select of plain string options. */
export function SelectField(props: {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  name?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A group of checkboxes under one legend; `value` is the set of checked options. */
export function CheckboxGroup(props: {
  legend: string;
  options: readonly { value: string; label: string }[];
  value: readonly string[];
  onChange: (value: string[]) => void;
}) {
  const toggle = (v: string, on: boolean) =>
    props.onChange(on ? [...props.value, v] : props.value.filter((x) => x !== v));
  return (
    <fieldset class="field">
      <legend>{props.legend}</legend>
      <div class="checks">
        {props.options.map((o) => (
          <label key={o.value}>
            <input
              type="checkbox"
              value={o.value}
              checked={props.value.includes(o.value)}
              onChange={(e) => toggle(o.value, e.currentTarget.checked)}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** An error from the API, in the reader's language when its code is known, with the request id for support. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t, maybe } = useI18n();
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const text = (api && maybe(`error.${api.code}`)) ?? (error instanceof Error ? error.message : JSON.stringify(error));
  return (
    <div class="notice error" role="alert">
      <div>{text}</div>
      {api ? (
        <div class="muted">
          <code>{api.code}</code>
          {api.requestId ? ` · ${t('common.requestId')} ${api.requestId}` : ''}
        </div>
      ) : null}
    </div>
  );
}

export function Notice(props: { kind: 'ok' | 'warn' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** A new credential, shown once: the reader is told to copy it now, and can. */
export function SecretOnce(props: { label: string; value: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div class="notice warn stack" role="status">
      <div>
        <strong>{props.label}</strong> — {t('common.shownOnce')}
      </div>
      <div class="secret" data-testid="secret">
        {props.value}
      </div>
      <button
        type="button"
        onClick={() => void navigator.clipboard?.writeText(props.value).then(() => setCopied(true))}
      >
        {copied ? t('common.copied') : t('common.copy')}
      </button>
    </div>
  );
}

/**
 * A form whose submit runs an async action: the button is disabled while it runs and an error is shown
 * beside it. The action's own state (results) stays with the caller.
 */
export function ActionForm(props: {
  submit: string;
  onSubmit: () => Promise<void>;
  children?: ComponentChildren;
  danger?: boolean;
  label?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={(e) => void run(e)} aria-label={props.label}>
      {props.children}
      <div>
        <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy} aria-busy={busy}>
          {props.submit}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
