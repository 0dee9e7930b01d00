import type { MessageChannel } from './message-delivery.js';

/** A phone number or an email address a person gave, with the channel that reaches it. */
export interface ContactAddress {
  readonly channel: Extract<MessageChannel, 'sms' | 'email'>;
  readonly to: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;
const PHONE = /^\+[1-9]\d{6,14}$/;

/**
 * Reads a contact given as one string: an email address, or a phone number in international form (spaces,
 * dashes and brackets ignored). Undefined when it is neither.
 * @example parseContactAddress('+7 701 000-00-01') // { channel: 'sms', to: '+77010000001' }
 */
export function parseContactAddress(value: string): ContactAddress | undefined {
  const v = value.trim();
  if (EMAIL.test(v)) return { channel: 'email', to: v.toLowerCase() };
  const phone = v.replace(/[\s\-()]/g, '');
  return PHONE.test(phone) ? { channel: 'sms', to: phone } : undefined;
}

/**
 * An address shown to someone who must recognise it but not learn it: the receipt, an operator's answer.
 * @example maskContactAddress({ channel: 'sms', to: '+77010000001' }) // '+7*******001'
 * @example maskContactAddress({ channel: 'email', to: 'anna@example.org' }) // 'a***@e******.org'
 */
export function maskContactAddress({ channel, to }: ContactAddress): string {
  if (channel === 'sms') return `${to.slice(0, 2)}${'*'.repeat(Math.max(0, to.length - 5))}${to.slice(-3)}`;
  const [user = '', domain = ''] = to.split('@');
  const dot = domain.lastIndexOf('.');
  const host = domain.slice(0, dot);
  return `${user[0] ?? ''}***@${host[0] ?? ''}${'*'.repeat(Math.max(0, host.length - 1))}${domain.slice(dot)}`;
}
