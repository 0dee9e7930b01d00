import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors/app-error.js';
import { StreamedEd25519 } from './batch-signature.js';
import { LineSplitter } from './batch-lines.js';

export interface SpooledBatch {
  /** SHA-512 of the body, hex. */
  readonly digest: string;
  /** Records (non-blank lines) in the body. */
  readonly total: number;
  readonly signatureValid: boolean;
}

/**
 * Streams a batch body to `file`, never holding it whole: SHA-512 and the Ed25519 challenge hash run over each
 * chunk on its way to disk, and records are counted. Over `maxBytes` the upload stops (`transfer.too_large`)
 * and the file is removed; so is it on any failure. The caller removes it if the signature does not hold.
 */
export async function spoolBatch(
  body: Readable,
  file: string,
  limits: { readonly maxBytes: number; readonly maxRecordBytes: number },
  signature: { readonly publicKey: Uint8Array; readonly value: Uint8Array },
): Promise<SpooledBatch> {
  const digest = createHash('sha512');
  const check = new StreamedEd25519(signature.publicKey, signature.value);
  const lines = new LineSplitter(limits.maxRecordBytes);
  let bytes = 0;
  let total = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) {
        done(new AppError('transfer.too_large', 'the batch is larger than allowed', { max: limits.maxBytes }));
        return;
      }
      digest.update(chunk);
      check.update(chunk);
      total += [...lines.push(chunk)].length;
      done(null, chunk);
    },
  });
  await mkdir(dirname(file), { recursive: true });
  try {
    await pipeline(body, tap, createWriteStream(file, { flags: 'wx' }));
  } catch (e) {
    await rm(file, { force: true });
    throw e;
  }
  total += [...lines.end()].length;
  return { digest: digest.digest('hex'), total, signatureValid: check.valid() };
}
