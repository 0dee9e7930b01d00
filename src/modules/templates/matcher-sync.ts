import type { Matcher } from '../../matcher/matcher.js';
import type { Clock } from '../../ports/clock.js';
import type { Repositories } from '../../repositories.js';
import type { TemplateVault } from './template-vault.js';

const PAGE = 1000;
/**
 * PostgreSQL hands out sequence numbers at insert, not at commit, so a lower number can become visible after a
 * higher one; a gap is waited for this long (far beyond any enrolment transaction) before it is taken for a
 * rolled-back insert and passed.
 */
const GAP_PATIENCE_MS = 30_000;

/**
 * Keeps this instance's matcher in step with the store when several instances share it (PostgreSQL behind a
 * load balancer): every template change is also an event in `template_events`, written in the change's own
 * transaction, and each instance replays the events after its cursor before it searches. Replaying is
 * idempotent (an added template already indexed, or a removed one already gone, is skipped), so the cursor
 * can be read before the initial load without missing anything committed during it.
 */
export class MatcherSync {
  /** Every event up to here is applied; events after it may be applied too (re-applying is harmless). */
  private cursor = 0;
  private gapSeenAt: number | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly repos: Pick<Repositories, 'templates' | 'templateEvents'>,
    private readonly matcher: Matcher,
    private readonly vault: TemplateVault,
    private readonly clock: Clock,
  ) {}

  /** Loads every stored template (at start-up); returns how many. */
  async load(): Promise<number> {
    // A little before the end: an insert numbered below the last one may still be committing elsewhere.
    this.cursor = Math.max(0, (await this.repos.templateEvents.lastSeq()) - PAGE);
    const loaded = await this.vault.loadInto(this.matcher);
    this.matcher.flush();
    return loaded;
  }

  /**
   * Applies every change committed since the last call, by any instance. Concurrent callers share runs; a
   * caller arriving during a run waits for one more, so it sees every change committed before it called.
   */
  catchUp(): Promise<void> {
    if (!this.running) {
      this.running = this.apply().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(
      () => ((this.queued = undefined), this.catchUp()),
      () => ((this.queued = undefined), this.catchUp()),
    );
    return this.queued;
  }

  /** Forgets events older than `hours` (a restarted instance reloads everything and needs none of them). */
  purge(hours: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - hours * 3_600_000).toISOString();
    return this.repos.templateEvents.deleteOlderThan(before);
  }

  private async apply(): Promise<void> {
    for (;;) {
      const events = await this.repos.templateEvents.after(this.cursor, PAGE);
      let contiguous = true;
      for (const event of events) {
        await this.applyOne(event.kind, event.template_id);
        if (contiguous && event.seq === this.cursor + 1) {
          this.cursor = event.seq;
          this.gapSeenAt = undefined;
        } else if (contiguous) {
          const now = this.clock.now().getTime();
          this.gapSeenAt ??= now;
          if (now - this.gapSeenAt >= GAP_PATIENCE_MS) {
            this.cursor = event.seq;
            this.gapSeenAt = undefined;
          } else contiguous = false;
        }
      }
      if (events.length < PAGE || !contiguous) return;
    }
  }

  private async applyOne(kind: 'added' | 'removed', templateId: string): Promise<void> {
    if (kind === 'removed') {
      this.matcher.remove(templateId);
      return;
    }
    if (this.matcher.has(templateId)) return;
    // The row decides: absent means it was removed since (and its removal event is applied too).
    const row = await this.repos.templates.find(templateId);
    if (!row) return;
    const entry = await this.vault.indexedOf(row);
    // Checked after the await: the enrolling request may have indexed it meanwhile.
    if (!entry || this.matcher.has(row.id)) return;
    this.matcher.add(entry);
  }
}
