import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';
import type { AlertsRepository, OperatorAlertRow } from './alerts.repository.js';

export interface OperatorAlert {
  readonly id: string;
  readonly kind: OperatorAlertRow['kind'];
  readonly segment: string;
  readonly relyingPartyId: string;
  readonly detail: Record<string, unknown>;
  readonly createdAt: string;
}

/** Alerts for operators: administrators see all, an operator those of its own segments. */
export class AlertsService {
  constructor(
    private readonly alerts: Pick<AlertsRepository, 'list'>,
    private readonly access: Pick<AccessService, 'authoriseOperator'>,
  ) {}

  async list(ctx: CallContext, limit: number): Promise<OperatorAlert[]> {
    await this.access.authoriseOperator(ctx, 'alert.list');
    const segments = ctx.principal.role === 'admin' ? undefined : ctx.principal.segments;
    const rows = await this.alerts.list(segments, limit);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      segment: r.segment_id,
      relyingPartyId: r.relying_party_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
  }
}
