/** A line of a batch: its 1-based number in the body, and its text, or `tooLarge` if it passed the limit. */
export type BatchLine =
  | { readonly lineNo: number; readonly text: string; readonly complete: boolean }
  | { readonly lineNo: number; readonly tooLarge: true };

/**
 * Splits an NDJSON body into lines as chunks arrive, holding at most `maxBytes` of one line: a longer line is
 * dropped as it streams and reported `tooLarge`. Blank lines are skipped (they still count in the numbering);
 * `complete` is false for a last line with no newline (a truncated body).
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private oversize = false;
  private lineNo = 0;

  constructor(private readonly maxBytes: number) {}

  *push(chunk: Buffer): Generator<BatchLine> {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        this.take(chunk.subarray(start));
        return;
      }
      this.take(chunk.subarray(start, nl));
      start = nl + 1;
      const line = this.finish(true);
      if (line) yield line;
    }
  }

  *end(): Generator<BatchLine> {
    const line = this.finish(false);
    if (line) yield line;
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.oversize) return;
    if (this.size > this.maxBytes) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    this.parts.push(part);
  }

  private finish(complete: boolean): BatchLine | undefined {
    if (this.size === 0 && !complete) return undefined;
    this.lineNo += 1;
    const lineNo = this.lineNo;
    const oversize = this.oversize;
    const text = oversize ? '' : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.oversize = false;
    if (oversize) return { lineNo, tooLarge: true };
    return text.trim() === '' ? undefined : { lineNo, text, complete };
  }
}

/** Every line of a stream of chunks (a spool file being read back). */
export async function* linesOf(source: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<BatchLine> {
  const splitter = new LineSplitter(maxBytes);
  for await (const chunk of source) yield* splitter.push(chunk);
  yield* splitter.end();
}
