import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** How a message reaches a person: a text message, an email, or (for the Wi-Fi service) a voice call. */
export type MessageChannel = 'sms' | 'email' | 'voice';

/** One message to one address. `text` is what the person reads (or hears); it may hold a one-time code. */
export interface Message {
  readonly channel: MessageChannel;
  readonly to: string;
  readonly text: string;
}

/**
 * The delivery port for messages that must reach a person now (one-time codes), as opposed to the notice
 * outbox's retried notices. A failed delivery throws, so the caller can answer that nothing was sent.
 */
export interface MessageDelivery {
  readonly name: string;
  send(message: Message): Promise<void>;
}

/**
 * Development delivery, used when no gateway is configured: each message is appended as one JSON line
 * `{to, text, at}` to `<data dir>/outbox/<channel>.ndjson` (sms.ndjson, email.ndjson, voice.ndjson), so a script
 * or a test reads the code a citizen would have received. The files are created readable by the owner only.
 */
export class OutboxFileDelivery implements MessageDelivery {
  readonly name = 'outbox-file';
  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Where messages of a channel are written. */
  fileOf(channel: MessageChannel): string {
    return join(this.dir, `${channel}.ndjson`);
  }

  async send(message: Message): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const line = JSON.stringify({ to: message.to, text: message.text, at: this.now().toISOString() });
    await appendFile(this.fileOf(message.channel), `${line}\n`, { mode: 0o600 });
  }
}

/**
 * Gateway delivery: posts `{channel, to, text}` to the operator's messaging gateway (OBLIK_MESSAGE_WEBHOOK_URL),
 * the usual shape of SMS, mail and voice providers' HTTP APIs. A non-2xx answer fails the delivery.
 */
export class WebhookMessageDelivery implements MessageDelivery {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly post: typeof fetch = fetch,
  ) {}

  async send(message: Message): Promise<void> {
    const res = await this.post(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`message gateway answered ${res.status} for ${message.channel}`);
  }
}

/** The delivery a deployment uses: its gateway when configured, else the development outbox files. */
export function messageDelivery(settings: { webhookUrl?: string | undefined; outboxDir: string }): MessageDelivery {
  return settings.webhookUrl
    ? new WebhookMessageDelivery(settings.webhookUrl)
    : new OutboxFileDelivery(settings.outboxDir);
}
