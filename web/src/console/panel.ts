import type { OblikClient } from '../api/oblik-client';
import type { Self } from '../ui/key-sign-in';

/** What every console section is given: the signed-in client and who is signed in. */
export interface PanelProps {
  readonly api: OblikClient;
  readonly self: Self;
}

/** A timestamp as the reader's locale writes it, in their time zone. */
export function when(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
}
