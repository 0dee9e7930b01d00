import type { Registry } from 'prom-client';
import type { AccessService } from '../access/access.service.js';
import type { CallContext } from '../access/principal.js';

/**
 * The Prometheus metrics for the operator console: the same registry the metrics port serves, read with an
 * administrator's or operator's key through the one authorisation step (a refusal is audited like any other).
 */
export class OperationsMetrics {
  constructor(
    private readonly access: Pick<AccessService, 'authoriseOperator'>,
    private readonly metrics: Registry,
  ) {}

  async read(ctx: CallContext): Promise<{ contentType: string; text: string }> {
    await this.access.authoriseOperator(ctx, 'metrics.read');
    return { contentType: this.metrics.contentType, text: await this.metrics.metrics() };
  }
}
