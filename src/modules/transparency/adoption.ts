import type { AuditService } from '../audit/audit.service.js';
import { systemContext } from '../access/system-principal.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { TransparencyRepository } from './transparency.repository.js';
import type { LogWitness, WitnessedHead } from './witness.js';

const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * `oblik audit adopt`: an operator accepts the store's log as it is (after restoring a backup on purpose), so
 * the server starts again. The witness keeps every earlier line, and the adoption is itself audited (what the
 * witness had seen, what was adopted), so the step back stays visible in the log.
 */
export async function adoptStoreLog(
  repo: TransparencyRepository,
  audit: AuditService,
  witness: LogWitness,
  clock: Clock,
): Promise<{ witnessed: WitnessedHead | null; adopted: WitnessedHead }> {
  const head = await repo.latestHead();
  const adopted = head
    ? { treeSize: Number(head.tree_size), rootHash: head.root_hash }
    : { treeSize: 0, rootHash: EMPTY_ROOT };
  const witnessed = (await witness.latest()) ?? null;
  await audit.recordAlone(systemContext('oblik audit adopt'), {
    action: 'transparency.adopt',
    result: 'adopted',
    detail: { witnessed, adopted, witnessFile: witness.file },
  });
  await witness.adopt(adopted, isoNow(clock));
  return { witnessed, adopted };
}
