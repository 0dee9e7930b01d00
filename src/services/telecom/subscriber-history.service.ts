import { isoNow, type Clock } from '../../ports/clock.js';
import type { RegistryServices } from '../registry.js';
import { contractView, portView } from './contract-views.js';
import type { TelecomRepository } from './telecom.repository.js';
import { TELECOM_PURPOSE } from './telecom-settings.js';

/**
 * A citizen's own telecom history (their account): every contract they signed with any operator, its ending,
 * and their port requests. They are found by the reference of the document the registry recorded for them;
 * the face checks themselves are in the citizen's usage history, as every use of their face is.
 */
export class SubscriberHistoryService {
  constructor(
    private readonly registry: Pick<RegistryServices, 'identityDocuments'>,
    private readonly telecom: TelecomRepository,
    private readonly clock: Clock,
  ) {}

  async of(personId: string) {
    const holderRef = await this.registry.identityDocuments.holderRefOf(personId, TELECOM_PURPOSE);
    if (!holderRef) return { contracts: [], ports: [] };
    const now = isoNow(this.clock);
    const { contracts, ports } = await this.telecom.historyOf(holderRef);
    return {
      // The citizen sees which operator holds each contract; the operator's pseudonym for them is its own.
      contracts: contracts.map((c) => {
        const view = contractView(c, now);
        return {
          contractId: view.contractId,
          operatorId: c.operator_id,
          msisdn: view.msisdn,
          status: view.status,
          startedAt: view.startedAt,
          effectiveAt: view.effectiveAt,
          endedAt: view.endedAt,
          endReason: view.endReason,
        };
      }),
      ports: ports.map(portView),
    };
  }
}
