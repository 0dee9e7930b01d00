import type { Transactor } from '../../db/executor.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import { nextPortState } from './port-request-state.js';
import type { ContractRow, PortRequestRow, TelecomRepository } from './telecom.repository.js';

/** A test's hook between the two writes of a switch (to crash there). */
export type SwitchProbe = (step: 'donor_ended', request: PortRequestRow) => void | Promise<void>;

const BATCH = 100;

/**
 * Runs what is due: contract endings at their instant, and port switches at `switchAt`. Each is one
 * transaction over rows still in their waiting state, so a second instance, a retry or a restart after a
 * crash finds nothing left to do or does it once: a switch ends the donor's contract at `switchAt` and starts
 * the recipient's at the same instant, or neither happens. The composition runs it at start (a switch a crash
 * interrupted is resumed then) and every `intervalMs`.
 */
export class TelecomScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly telecom: TelecomRepository,
    private readonly transactions: Transactor,
    private readonly clock: Clock,
    private readonly log: (message: string, fields: Record<string, unknown>) => void,
    private readonly probe?: SwitchProbe,
  ) {}

  /** Everything due by now; returns what was done. */
  async runDue(): Promise<{ ended: number; switched: number; expired: number }> {
    const now = isoNow(this.clock);
    const done = { ended: 0, switched: 0, expired: 0 };
    // Switches first: a port due at the instant of an ending is decided on the donor as it then stood.
    for (const request of await this.telecom.duePorts(now, BATCH)) {
      const outcome = await this.switchOver(request, now);
      if (outcome) done[outcome]++;
    }
    for (const contract of await this.telecom.dueEndings(now, BATCH)) {
      if (await this.endContract(contract)) done.ended++;
    }
    return done;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runDue()
        .catch((e: unknown) => this.log('telecom scheduler failed', { e }))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async endContract(contract: ContractRow): Promise<boolean> {
    return this.transactions.transaction((tx) => this.telecom.end(tx, contract.id, contract.ends_at!, 'termination'));
  }

  /** The switch of one request, or its expiry, in one transaction; `undefined` if another instance did it. */
  private async switchOver(due: PortRequestRow, now: string): Promise<'switched' | 'expired' | undefined> {
    return this.transactions.transaction(async (tx) => {
      const request = await this.telecom.portRequest(due.id, tx);
      if (!request || request.status !== 'pending') return undefined;
      const donor = await this.telecom.contract(request.donor_contract_id, tx);
      const at = request.switch_at;
      // The donor still serves at the switch instant: not ended, and any ending it asked for is later.
      const donorServing = !!donor && donor.status !== 'ended' && (donor.ends_at === null || donor.ends_at > at);
      const state = { status: request.status, requestedAt: request.requested_at, switchAt: at };
      const next = nextPortState(state, { kind: 'switch', at: now, donorServing });
      if (!next.ok) return undefined;
      const change = { status: next.status, closed_at: now, close_reason: next.closeReason, objection_reason: null };
      // Closing the request first takes its row: a second instance waits here, then finds it closed.
      if (!(await this.telecom.closePort(tx, request.id, change))) return undefined;
      if (next.status === 'switched') {
        // The donor's ending raced this switch: roll back; the next run finds it ended and expires the request.
        if (!(await this.telecom.end(tx, donor!.id, at, 'ported')))
          throw new Error(`donor ${donor!.id} ended meanwhile`);
        await this.probe?.('donor_ended', request);
        await this.telecom.insertContract(tx, {
          id: request.recipient_contract_id,
          operator_id: request.recipient_operator_id,
          msisdn: request.msisdn,
          holder_ref: request.holder_ref,
          person_ref: request.person_ref,
          segment_id: request.segment_id,
          status: 'active',
          started_at: at,
          ends_at: null,
          ending_requested_at: null,
          ended_at: null,
          end_reason: null,
          registry: request.registry,
          sealed_document: request.sealed_document,
          port_request_id: request.id,
          created_at: now,
        });
      }
      return next.status === 'switched' ? 'switched' : 'expired';
    });
  }
}
