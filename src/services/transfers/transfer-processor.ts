import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { Log } from '../../registry-services.js';
import { idempotentCall, type CallContext, type Principal, type RegistryServices } from '../registry.js';
import { linesOf, type BatchLine } from './batch-lines.js';
import { parseLine, type TransferLine } from './transfer-record.js';
import type { NewTransferRecord, TransferRow, TransfersRepository } from './transfers.repository.js';

export interface ProcessorSettings {
  /** Records in flight at once (one per engine worker keeps every core busy). */
  readonly concurrency: number;
  readonly maxRecordBytes: number;
  /** How long to wait before retrying records a passing failure (engine or store down) left undecided. */
  readonly retryMs?: number;
}

/** How far a running batch got in this process: for its rate. */
interface Run {
  readonly startedMs: number;
  decided: number;
}

/** The bank's claim on its own reference: unique in the store, so a record is never imported twice. */
const claimOf = (bankId: string, ref: string) => `${bankId}\n${ref}`;

/**
 * Works through spooled batches in the background, one batch at a time, `concurrency` records at once. Each
 * record is decided once (a row in the batch's records; its absence means still to do), so a restart resumes
 * where the last run stopped; an accepted record's row commits in the registry's enrolment transaction, and
 * the enrolment is idempotent by the bank's reference, so a crash between the two imports nothing twice.
 */
export class TransferProcessor {
  private readonly queue: string[] = [];
  private readonly runs = new Map<string, Run>();
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly registry: RegistryServices,
    private readonly transfers: TransfersRepository,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly settings: ProcessorSettings,
  ) {}

  /** Queues every batch a stop or a crash left unfinished. */
  async resume(): Promise<number> {
    const unfinished = await this.transfers.unfinished();
    for (const t of unfinished) this.enqueue(t.id);
    return unfinished.length;
  }

  enqueue(transferId: string): void {
    if (this.stopping || this.queue.includes(transferId)) return;
    this.queue.push(transferId);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.enqueue(this.queue.shift()!);
    });
  }

  /** Records per second decided by this process for a batch it is running, if it is. */
  rateOf(transferId: string): number | undefined {
    const run = this.runs.get(transferId);
    if (!run) return undefined;
    const seconds = (Date.now() - run.startedMs) / 1000;
    return seconds > 0 ? run.decided / seconds : 0;
  }

  /** Finishes the records in flight and stops; what is left resumes at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopping) {
      const id = this.queue.shift()!;
      try {
        await this.run(id);
      } catch (e) {
        this.log('transfer processing failed; retrying later', { transferId: id, e });
        this.retryLater(id);
      }
    }
  }

  private retryLater(id: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(id);
    }, this.settings.retryMs ?? 5_000);
    this.timers.add(timer);
  }

  private async run(id: string): Promise<void> {
    const transfer = await this.transfers.find(id);
    if (!transfer || transfer.status === 'done') return;
    await this.transfers.start(id, isoNow(this.clock));
    const decided = await this.transfers.decidedLines(id);
    const bank = await this.registry.parties.activeParty(transfer.bank_id);
    const run: Run = { startedMs: Date.now(), decided: 0 };
    this.runs.set(id, run);
    const seen = new Map<string, number>();
    const inFlight = new Set<Promise<void>>();
    let passing = 0;
    try {
      const source = createReadStream(transfer.spool_file, { highWaterMark: 1 << 20 });
      for await (const line of linesOf(source, this.settings.maxRecordBytes)) {
        if (this.stopping) break;
        if (decided.has(line.lineNo)) continue;
        const task = this.decide(transfer, bank, line, seen)
          .then((row) => (row ? this.transfers.insertRecord(undefined, row) : undefined))
          .then(
            () => void (run.decided += 1),
            (e: unknown) => {
              passing += 1;
              this.log('transfer record left for a retry', { transferId: id, line: line.lineNo, e });
            },
          )
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= this.settings.concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      this.runs.delete(id);
    }
    if (this.stopping) return;
    if (passing > 0) return this.retryLater(id);
    await this.transfers.finish(id, isoNow(this.clock));
    // The spool holds the bank's images: gone as soon as every record is decided (templates only are kept).
    await rm(transfer.spool_file, { force: true });
  }

  /**
   * One record's outcome: the row to write, or undefined when the enrolment's transaction wrote it already.
   * A passing failure (the engine or the store unavailable, anything unexpected) throws: the record stays
   * undecided and is tried again.
   */
  private async decide(
    transfer: TransferRow,
    bank: Principal | undefined,
    line: BatchLine,
    seen: Map<string, number>,
  ): Promise<NewTransferRecord | undefined> {
    const base = { transfer_id: transfer.id, line_no: line.lineNo, processed_at: isoNow(this.clock) };
    const reject = (code: string, externalRef: string | null = null): NewTransferRecord => ({
      ...base,
      external_ref: externalRef,
      claim_ref: null,
      outcome: 'rejected',
      pseudonym: null,
      adjudication_id: null,
      error_code: code,
    });
    if ('tooLarge' in line) return reject('transfer.record_too_large');
    const parsed = parseLine(line.text, line.complete);
    if (!parsed.ok) return reject(parsed.code, parsed.externalRef ?? null);
    const { record } = parsed;
    const ref = record.externalRef;
    if (!bank) return reject('auth.unauthorized', ref);
    const earlier = seen.get(ref);
    if (earlier !== undefined && earlier !== line.lineNo) return reject('transfer.already_imported', ref);
    seen.set(ref, line.lineNo);
    const claim = claimOf(bank.id, ref);
    const held = await this.transfers.claimOf(claim);
    if (held && (held.transfer_id !== transfer.id || held.line_no !== line.lineNo)) {
      return reject('transfer.already_imported', ref);
    }
    const claimed = { ...base, external_ref: ref, claim_ref: claim, error_code: null };
    const ctx = recordCall(bank, transfer.id, line.lineNo, ref, line.text);
    try {
      // The accepted row commits with the enrolment; the stored answer (a replay's) is the pseudonym.
      await this.registry.enrolment.enrol(ctx, enrolmentOf(record), async (tx, enrolled) => {
        const row = { ...claimed, outcome: 'accepted' as const, pseudonym: enrolled.personId, adjudication_id: null };
        await this.transfers.insertRecord(tx, row);
        return { personId: enrolled.personId };
      });
      return undefined;
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      if (e.code === 'enrolment.duplicate') {
        const adjudicationId = typeof e.data?.adjudicationId === 'string' ? e.data.adjudicationId : null;
        return { ...claimed, outcome: 'duplicate', pseudonym: null, adjudication_id: adjudicationId };
      }
      return reject(e.code, ref);
    }
  }
}

/** The bank's call for one record: idempotent by its reference (the same record answers the same). */
function recordCall(bank: Principal, transferId: string, lineNo: number, ref: string, text: string): CallContext {
  const ctx = { principal: bank, requestId: `${transferId}#${lineNo}` };
  return idempotentCall(ctx, `transfer:${ref}`, { record: createHash('sha256').update(text).digest('hex') });
}

function enrolmentOf(r: TransferLine) {
  const common = {
    segment: r.segment,
    channel: 'transfer',
    consents: r.consent.purposes,
    birthDate: r.birthDate,
    provenance: { reference: r.externalRef, capturedAt: r.capturedAt, evidence: r.consent.evidence },
  };
  return r.template
    ? { ...common, template: { modelPack: r.template.modelPack, vector: Float32Array.from(r.template.vector) } }
    : { ...common, image: Buffer.from(r.image!, 'base64') };
}
