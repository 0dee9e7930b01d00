/** A notice to one citizen. */
export interface Notice {
  readonly personId: string;
  readonly contact: { readonly email?: string; readonly phone?: string } | undefined;
  readonly subject: string;
  readonly body: string;
}

/** The notification port: adapters deliver, the outbox decides what and when (and retries). */
export interface Notifier {
  readonly name: string;
  send(notice: Notice): Promise<void>;
}

/** Development adapter: writes each notice to the log (never the contact details). */
export class LogNotifier implements Notifier {
  readonly name = 'log';
  constructor(private readonly log: (message: string, fields: Record<string, unknown>) => void) {}

  send(notice: Notice): Promise<void> {
    this.log('citizen notice', {
      personId: notice.personId,
      channels: { email: Boolean(notice.contact?.email), sms: Boolean(notice.contact?.phone) },
      subject: notice.subject,
    });
    return Promise.resolve();
  }
}

/**
 * Email/SMS adapter: posts each notice to the operator's messaging gateway (the usual shape of SMS and
 * transactional-mail providers), once per channel the citizen gave. A notice with no contact is not sent
 * anywhere: the citizen sees it among their incidents. A non-2xx answer fails the delivery, so the outbox retries.
 */
export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly post: typeof fetch = fetch,
  ) {}

  async send(notice: Notice): Promise<void> {
    const targets = [
      ...(notice.contact?.email ? [{ channel: 'email', to: notice.contact.email }] : []),
      ...(notice.contact?.phone ? [{ channel: 'sms', to: notice.contact.phone }] : []),
    ];
    for (const target of targets) {
      const res = await this.post(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...target, subject: notice.subject, text: notice.body }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`gateway answered ${res.status} for ${target.channel}`);
    }
  }
}
