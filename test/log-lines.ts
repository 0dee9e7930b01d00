/** A log destination for tests: keeps every JSON line the server's logger writes, parsed. */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
    try {
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not JSON: kept in `raw` only
    }
  }

  find(predicate: (line: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    return this.lines.find(predicate);
  }

  /** Everything logged so far, as one string (to search for values that must never appear). */
  text(): string {
    return this.raw.join('');
  }
}
