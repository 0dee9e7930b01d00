import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SignedTreeHead } from './tree-head.js';

/**
 * The log's witness: every tree head this deployment signs, appended as one JSON line to a file outside the
 * database (OBLIK_LOG_WITNESS). Whoever can rewrite the database (delete rows and heads past N, set the state
 * back to N) cannot take back what the witness saw, so `oblik audit verify` and the server's start find a
 * store that is behind it. An operator who restores an older store on purpose accepts it with
 * `oblik audit adopt`, which appends an `adopted` line: the witness then counts from that line on.
 *
 * Lines: {"head": SignedTreeHead} or {"adopted": {"treeSize", "rootHash"}, "at": ISO time}.
 */
export interface WitnessedHead {
  readonly treeSize: number;
  readonly rootHash: string;
}

interface WitnessLine {
  readonly head?: SignedTreeHead;
  readonly adopted?: WitnessedHead;
  readonly at?: string;
}

export class LogWitness {
  constructor(readonly file: string) {}

  /** Appends a signed head (after the transaction that stored it committed). */
  async witness(head: SignedTreeHead): Promise<void> {
    await this.append({ head });
  }

  /** Records that an operator accepted the store's head as it is; earlier lines no longer count. */
  async adopt(head: WitnessedHead, at: string): Promise<void> {
    await this.append({ adopted: { treeSize: head.treeSize, rootHash: head.rootHash }, at });
  }

  /** The heads that count (those after the last adoption, which itself counts), in the order witnessed. */
  async heads(): Promise<WitnessedHead[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    let heads: WitnessedHead[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let parsed: WitnessLine;
      try {
        parsed = JSON.parse(line) as WitnessLine;
      } catch {
        // A torn last line (a crash mid-append) is ignored; a bad line before it is not.
        if (i === lines.length - 1) return;
        throw new Error(`the log witness ${this.file} has an unreadable line ${i + 1}`);
      }
      if (parsed.adopted) heads = [parsed.adopted];
      else if (parsed.head) heads.push({ treeSize: parsed.head.treeSize, rootHash: parsed.head.rootHash });
    });
    return heads;
  }

  /** The largest head that counts, or undefined when the witness holds none. */
  async latest(): Promise<WitnessedHead | undefined> {
    return (await this.heads()).reduce<WitnessedHead | undefined>(
      (max, h) => (max === undefined || h.treeSize > max.treeSize ? h : max),
      undefined,
    );
  }

  private async append(line: WitnessLine): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, JSON.stringify(line) + '\n', { encoding: 'utf8', mode: 0o600, flush: true });
  }
}
