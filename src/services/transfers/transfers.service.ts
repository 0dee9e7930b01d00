import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { CallContext, RegistryServices } from '../registry.js';
import { spoolBatch } from './batch-spool.js';
import { progressOf, reportLine } from './transfer-progress.js';
import type { TransferProcessor } from './transfer-processor.js';
import type { TransferRow, TransfersRepository } from './transfers.repository.js';

export interface TransferSettings {
  readonly spoolDir: string;
  readonly maxBatchBytes: number;
  readonly maxRecordBytes: number;
}

/**
 * Bulk transfers from banks: a relying party with the right `transfer` sends a signed NDJSON batch; it is
 * spooled to disk while its signature is checked (a bad one refuses the whole batch, nothing written), then
 * processed in the background by {@link TransferProcessor}, each record enrolled through the registry with the
 * bank's own principal (its consents, pseudonyms and audit, as for any enrolment).
 */
export class TransfersService {
  constructor(
    private readonly registry: RegistryServices,
    private readonly transfers: TransfersRepository,
    private readonly transactions: Transactor,
    private readonly processor: Pick<TransferProcessor, 'enqueue' | 'rateOf'>,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly settings: TransferSettings,
  ) {}

  /** Spools and verifies a batch, records it, queues it: `{transferId}` (the caller answers 202). */
  async submit(ctx: CallContext, body: Readable, signatureHeader: string | undefined) {
    const bank = bankOf(ctx);
    const signature = signatureOf(signatureHeader);
    const publicKey = await this.registry.parties.signingKeyOf(bank);
    if (!publicKey) {
      throw new AppError('transfer.signing_key_missing', 'register a signing key for this relying party first');
    }
    const id = this.ids.next('trf');
    const file = join(this.settings.spoolDir, `${id}.ndjson`);
    const spooled = await spoolBatch(
      body,
      file,
      { maxBytes: this.settings.maxBatchBytes, maxRecordBytes: this.settings.maxRecordBytes },
      { publicKey, value: signature },
    );
    try {
      if (!spooled.signatureValid) {
        throw new AppError('transfer.signature_invalid', "the Oblik-Signature does not verify with the bank's key");
      }
      await this.transactions.transaction(async (tx) => {
        const earlier = await this.transfers.byDigest(bank, spooled.digest, tx);
        if (earlier) throw replayed(earlier.id);
        const at = isoNow(this.clock);
        await this.transfers.insert(tx, {
          ...{ id, bank_id: bank, digest: spooled.digest, status: 'queued', spool_file: file },
          ...{ total: spooled.total, created_at: at, started_at: null, finished_at: null },
        });
      });
    } catch (e) {
      await rm(file, { force: true });
      // Two submissions of one batch racing: the unique index refuses the second.
      const raced = !(e instanceof AppError) && (await this.transfers.byDigest(bank, spooled.digest));
      throw raced ? replayed(raced.id) : e;
    }
    this.processor.enqueue(id);
    return { transferId: id };
  }

  /** How far a batch is: counts, the rate and the time left. */
  async progress(ctx: CallContext, id: string) {
    const transfer = await this.own(ctx, id);
    const counts = await this.transfers.counts(id);
    return progressOf(transfer, counts, this.processor.rateOf(id), this.clock.now().getTime());
  }

  /** The batch's report, one NDJSON line per decided record, in line order (read page by page). */
  async report(ctx: CallContext, id: string): Promise<AsyncGenerator<string>> {
    await this.own(ctx, id);
    const rows = this.transfers.records(id);
    return (async function* () {
      for await (const row of rows) yield `${JSON.stringify(reportLine(row))}\n`;
    })();
  }

  /** The caller's own batch (an administrator sees every one); anyone else's is `transfer.not_found`. */
  private async own(ctx: CallContext, id: string): Promise<TransferRow> {
    const transfer = await this.transfers.find(id);
    const p = ctx.principal;
    if (!transfer || (p.role !== 'admin' && transfer.bank_id !== p.id)) {
      throw new AppError('transfer.not_found', `no transfer ${id}`, { id });
    }
    return transfer;
  }
}

function bankOf(ctx: CallContext): string {
  const p = ctx.principal;
  if (p.role !== 'relying_party' || !p.rights.includes('transfer')) {
    throw new AppError('auth.forbidden', 'only a relying party with the right transfer may send batches', {
      reason: 'missing_right',
    });
  }
  return p.id;
}

/** The `Oblik-Signature` header: base64 of a 64-byte Ed25519 signature. */
function signatureOf(header: string | undefined): Uint8Array {
  const bytes = header ? Buffer.from(header.trim(), 'base64') : Buffer.alloc(0);
  if (bytes.length !== 64) {
    throw new AppError('transfer.signature_invalid', 'Oblik-Signature must be a base64 Ed25519 signature');
  }
  return bytes;
}

function replayed(transferId: string): AppError {
  return new AppError('transfer.replayed', 'this batch was sent before', { transferId });
}
