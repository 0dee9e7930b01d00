/** One charge as the payment provider sees it; `key` makes a retry of the same charge a no-op at the provider. */
export interface ChargeRequest {
  readonly key: string;
  readonly token: string;
  /** Minor units; 0 checks the payment method without moving money. */
  readonly amount: number;
  readonly currency: string;
}

export type ChargeOutcome = 'captured' | 'declined';

/**
 * The payment port: a provider that charges a tokenised payment method. An adapter must treat a repeated
 * `key` as the same charge (answering as it did the first time), which is what lets the outbox retry safely.
 */
export interface PaymentPort {
  charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeOutcome>;
}

/** The provider did not answer in time: the charge may or may not have happened, so it is retried by key. */
export class PaymentTimeout extends Error {
  override name = 'PaymentTimeout';
}

/** Charges through `port`, giving up after `timeoutMs` with {@link PaymentTimeout}. */
export async function chargeWithin(port: PaymentPort, request: ChargeRequest, timeoutMs: number) {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle the race first: aborting makes the adapter's own promise reject too.
      reject(new PaymentTimeout(`the payment provider did not answer within ${timeoutMs} ms`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([port.charge(request, controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
