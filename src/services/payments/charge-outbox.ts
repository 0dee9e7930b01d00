import type { Transactor, Tx } from '../../db/executor.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { ChargeRow, ChargesRepository } from './charges.repository.js';
import { chargeWithin, PaymentTimeout, type ChargeOutcome, type PaymentPort } from './payment-port.js';

export interface OutboxSettings {
  /** How long one call to the payment port may take. */
  readonly timeoutMs: number;
  /** A pending charge is retried by the background run once it is this old (the gate's own try comes first). */
  readonly retryAfterMs: number;
}

/** What a service does, in the same transaction, when the port answers one of its charges. */
export type ChargeListener = (tx: Tx, charge: ChargeRow, outcome: ChargeOutcome) => Promise<void>;

/** A crash probe for tests: called before a charge's port call, and after it before its answer is recorded. */
export type ChargeProbe = (step: 'port_calling' | 'port_answered') => void;

/**
 * The payment outbox. A charge is written as `pending` in the transaction of the decision that owes it (so a
 * crash can lose neither), sent to the port after the commit, and its answer recorded with the owning
 * service's consequence (a blocked rider) in one transaction. The port is called with the charge's id as its
 * idempotency key, so a retry (after a timeout, a crash, or by a second instance) never charges twice.
 */
export class ChargeOutbox {
  private readonly listeners = new Map<string, ChargeListener>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly charges: ChargesRepository,
    private readonly transactions: Transactor,
    private readonly port: PaymentPort,
    private readonly clock: Clock,
    private readonly settings: OutboxSettings,
    private readonly log: (message: string, fields: Record<string, unknown>) => void,
    private readonly probe?: ChargeProbe,
  ) {}

  /** Registers the consequence of a service's charges (`service` as written on the charge). */
  on(service: ChargeRow['service'], listener: ChargeListener): void {
    this.listeners.set(service, listener);
  }

  /**
   * Sends one pending charge to the port and records the answer; `pending` if the port timed out (the charge
   * stays in the outbox). A charge no longer pending answers with what it became.
   */
  async collect(chargeId: string): Promise<ChargeRow['status']> {
    const charge = await this.charges.charge(chargeId);
    if (!charge) throw new Error(`no charge ${chargeId}`);
    if (charge.status !== 'pending' || charge.token === null) return charge.status;
    await this.charges.countAttempt(charge.id);
    this.probe?.('port_calling');
    let outcome: ChargeOutcome;
    try {
      const request = { key: charge.id, token: charge.token, amount: charge.amount, currency: charge.currency };
      outcome = await chargeWithin(this.port, request, this.settings.timeoutMs);
    } catch (e) {
      if (e instanceof PaymentTimeout) return 'pending';
      throw e;
    }
    this.probe?.('port_answered');
    return this.transactions.transaction(async (tx) => {
      if (!(await this.charges.settle(tx, charge.id, outcome, isoNow(this.clock)))) {
        return (await this.charges.charge(charge.id, tx))!.status;
      }
      await this.listeners.get(charge.service)?.(tx, charge, outcome);
      return outcome;
    });
  }

  /**
   * Retries every pending charge at least `olderThanMs` old (by default the retry period, so a gate's own first
   * try is not raced); returns how many the port answered.
   */
  async runDue(olderThanMs = this.settings.retryAfterMs, limit = 100): Promise<number> {
    const before = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    let answered = 0;
    for (const charge of await this.charges.pending(before, limit)) {
      if ((await this.collect(charge.id)) !== 'pending') answered++;
    }
    return answered;
  }

  /**
   * Sends every pending charge now (what a crash left unsent), then runs {@link runDue} every `intervalMs`
   * until {@link stop}. {@link idle} waits for the run under way.
   */
  start(intervalMs: number): void {
    const run = (olderThanMs?: number) => {
      this.running = this.running
        .then(() => this.runDue(olderThanMs))
        .catch((e: unknown) => this.log('payment outbox run failed', { e }));
    };
    run(0);
    this.timer = setInterval(() => run(), intervalMs);
    this.timer.unref();
  }

  /** Resolves when the background run under way (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
