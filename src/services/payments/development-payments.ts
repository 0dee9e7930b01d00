import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { ChargeOutcome, ChargeRequest, PaymentPort } from './payment-port.js';

/** One line of the development ledger: a charge the pretend provider answered. */
export interface LedgerEntry {
  readonly key: string;
  readonly token: string;
  readonly amount: number;
  readonly currency: string;
  readonly outcome: ChargeOutcome;
}

/**
 * The development payment adapter: deterministic, no network. A token starting `tok_decline` is declined; one
 * starting `tok_timeout` is charged but the first answer for each key never arrives (as a provider that
 * charged and then lost the connection), so the caller times out and retries; any other token is captured.
 * A repeated key answers as the first time and is never charged again. With `ledgerFile` the charges are
 * kept in a JSON-lines file, so that holds across restarts (the crash tests read it).
 */
export class DevelopmentPayments implements PaymentPort {
  private readonly ledger = new Map<string, LedgerEntry>();

  constructor(private readonly ledgerFile?: string) {
    if (ledgerFile && existsSync(ledgerFile)) {
      for (const line of readFileSync(ledgerFile, 'utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as LedgerEntry;
        this.ledger.set(entry.key, entry);
      }
    }
  }

  charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeOutcome> {
    const known = this.ledger.get(request.key);
    if (known) return Promise.resolve(known.outcome);
    const outcome: ChargeOutcome = request.token.startsWith('tok_decline') ? 'declined' : 'captured';
    const entry: LedgerEntry = { ...request, outcome };
    this.ledger.set(request.key, entry);
    if (this.ledgerFile) appendFileSync(this.ledgerFile, `${JSON.stringify(entry)}\n`);
    if (!request.token.startsWith('tok_timeout')) return Promise.resolve(outcome);
    // Charged, but the answer is lost: it never resolves, and the caller's timeout aborts the wait.
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  }

  /** Every charge answered, in order (for tests: a key appears once however often it was retried). */
  entries(): LedgerEntry[] {
    return [...this.ledger.values()];
  }
}
