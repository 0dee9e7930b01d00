import type { Transactor } from '../../db/executor.js';
import { AppError } from '../../errors/app-error.js';
import { isoNow, type Clock } from '../../ports/clock.js';
import type { IdSource } from '../../ports/ids.js';
import type { AccessService } from '../access/access.service.js';
import type { CallContext, Principal } from '../access/principal.js';
import type { Purpose, Right, Role } from '../access/purposes.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { Repositories } from '../../repositories.js';
import { hashApiKey, newApiKey } from './api-key.js';
import { ed25519PublicKey } from './signing-key.js';
import type { NewPrincipalRow, PrincipalRow } from './principals.repository.js';

export interface NewRelyingParty {
  readonly name: string;
  readonly purposes: readonly Purpose[];
  readonly segments: readonly string[];
  readonly rights: readonly Right[];
  readonly requireLiveness?: boolean | undefined;
  readonly ownTemplateView?: boolean | undefined;
}

/** A principal as administrators list it. */
export interface PrincipalSummary extends Principal {
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Administrators, segment operators and relying parties, and the API keys they authenticate with. */
export class PrincipalsService {
  constructor(
    private readonly repos: Pick<Repositories, 'principals' | 'segments'>,
    private readonly transactions: Transactor,
    private readonly audit: AuditService,
    private readonly access: Pick<AccessService, 'authoriseAdministrator'>,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  /** The principal holding this key, unless unknown or revoked. */
  async authenticate(apiKey: string): Promise<Principal | undefined> {
    const row = await this.repos.principals.findActiveByKeyHash(hashApiKey(apiKey));
    return row ? toPrincipal(row) : undefined;
  }

  /** Creates the bootstrap administrator for this key, or keeps it if it exists. */
  async bootstrapAdmin(apiKey: string): Promise<{ id: string; created: boolean }> {
    const existing = await this.repos.principals.findByKeyHash(hashApiKey(apiKey));
    if (existing) {
      if (existing.revoked_at) throw new Error('OBLIK_BOOTSTRAP_ADMIN_KEY names a revoked principal');
      return { id: existing.id, created: false };
    }
    const id = this.ids.next('adm');
    const row = this.row(id, 'admin', 'bootstrap administrator', apiKey, {});
    await this.transactions.transaction((tx) => this.repos.principals.insert(tx, row));
    return { id, created: true };
  }

  /** Issues a fresh administrator key (for the local CLI, which holds the store itself). */
  async issueAdmin(name: string): Promise<{ id: string; apiKey: string }> {
    const id = this.ids.next('adm');
    const apiKey = newApiKey();
    const row = this.row(id, 'admin', name, apiKey, {});
    await this.transactions.transaction((tx) => this.repos.principals.insert(tx, row));
    return { id, apiKey };
  }

  async hasAdmin(): Promise<boolean> {
    return (await this.repos.principals.list('admin')).some((p) => p.revoked_at === null);
  }

  createRelyingParty(ctx: CallContext, input: NewRelyingParty): Promise<{ id: string; apiKey?: string }> {
    return this.create(ctx, 'relying_party', this.ids.next('rp'), input);
  }

  createOperator(ctx: CallContext, input: { name: string; segments: readonly string[] }) {
    return this.create(ctx, 'operator', this.ids.next('op'), { ...input, purposes: [], rights: [] });
  }

  /**
   * An auditor: reads the transparency log's full entries (GET /v1/transparency/entries) and nothing else.
   * The key is shown once, as for every principal.
   */
  async createAuditor(
    ctx: CallContext,
    input: { name: string },
  ): Promise<{ id: string; name: string; apiKey?: string }> {
    const issued = await this.create(ctx, 'auditor', this.ids.next('aud'), {
      ...input,
      purposes: [],
      segments: [],
      rights: [],
    });
    return { ...issued, name: input.name };
  }

  async list(ctx: CallContext, role?: Role): Promise<PrincipalSummary[]> {
    await this.access.authoriseAdministrator(ctx, 'principal.list');
    return (await this.repos.principals.list(role)).map(toSummary);
  }

  async revoke(ctx: CallContext, id: string): Promise<void> {
    await this.access.authoriseAdministrator(ctx, 'principal.revoke');
    await this.transactions.transaction(async (tx) => {
      const revoked = await this.repos.principals.revoke(tx, id, isoNow(this.clock));
      if (!revoked) throw new AppError('request.not_found', `no active principal ${id}`, { id });
      await this.audit.record(tx, ctx, { action: 'principal.revoke', result: 'revoked', detail: { principal: id } });
    });
  }

  /** Registers the Ed25519 public key (PEM) that signs a relying party's bulk transfers (administrator). */
  async setSigningKey(ctx: CallContext, id: string, publicKey: string): Promise<{ id: string; signingKey: string }> {
    await this.access.authoriseAdministrator(ctx, 'principal.signing_key');
    ed25519PublicKey(publicKey);
    const pem = publicKey.trim() + '\n';
    await this.transactions.transaction(async (tx) => {
      if (!(await this.repos.principals.setSigningKey(tx, id, pem))) {
        throw new AppError('relying_party.not_found', `no active relying party ${id}`, { id });
      }
      await this.audit.record(tx, ctx, {
        action: 'principal.signing_key',
        result: 'set',
        detail: { principal: id, publicKey: pem },
      });
    });
    return { id, signingKey: pem };
  }

  /** An active (not revoked) relying party, as its calls run: background work on its behalf uses this. */
  async activeParty(id: string): Promise<Principal | undefined> {
    const row = await this.repos.principals.find(id);
    return row && row.role === 'relying_party' && row.revoked_at === null ? toPrincipal(row) : undefined;
  }

  /** A relying party's registered signing key as raw Ed25519 bytes, or undefined if it has none. */
  async signingKeyOf(id: string): Promise<Uint8Array | undefined> {
    const row = await this.repos.principals.find(id);
    return row?.signing_key ? ed25519PublicKey(row.signing_key) : undefined;
  }

  private async create(ctx: CallContext, role: Role, id: string, input: NewRelyingParty) {
    await this.access.authoriseAdministrator(ctx, 'principal.create');
    const replayed = await this.idempotency.replay<{ id: string }>(ctx);
    // The key is shown once: a replay returns the id only, never the key (it is not stored anywhere).
    if (replayed) return { id: replayed.id };
    for (const segment of input.segments) {
      const known = await this.repos.segments.find(segment);
      if (!known) throw new AppError('segment.not_found', `no segment ${segment}`, { segment });
    }
    const apiKey = newApiKey();
    const outcome = await this.idempotency.commit(ctx, 201, async (tx) => {
      await this.repos.principals.insert(tx, this.row(id, role, input.name, apiKey, input));
      await this.audit.record(tx, ctx, {
        action: 'principal.create',
        result: 'created',
        detail: {
          principal: id,
          role,
          purposes: input.purposes,
          segments: input.segments,
          rights: input.rights,
          requireLiveness: Boolean(input.requireLiveness),
          ownTemplateView: Boolean(input.ownTemplateView),
        },
      });
      return { id };
    });
    return outcome.fresh ? { id, apiKey } : { id: outcome.value.id };
  }

  private row(id: string, role: Role, name: string, apiKey: string, scope: Partial<NewRelyingParty>): NewPrincipalRow {
    return {
      id,
      role,
      name,
      key_hash: hashApiKey(apiKey),
      purposes: JSON.stringify(scope.purposes ?? []),
      segments: JSON.stringify(scope.segments ?? []),
      rights: JSON.stringify(scope.rights ?? []),
      require_liveness: scope.requireLiveness ? 1 : 0,
      own_template_view: scope.ownTemplateView ? 1 : 0,
      created_at: isoNow(this.clock),
      revoked_at: null,
    };
  }
}

function toPrincipal(row: PrincipalRow): Principal {
  return {
    id: row.id,
    role: row.role,
    name: row.name,
    purposes: JSON.parse(row.purposes) as Purpose[],
    segments: JSON.parse(row.segments) as string[],
    rights: JSON.parse(row.rights) as Right[],
    requireLiveness: row.require_liveness === 1,
    ownTemplateView: row.own_template_view === 1,
  };
}

function toSummary(row: PrincipalRow): PrincipalSummary {
  return { ...toPrincipal(row), role: row.role, createdAt: row.created_at, revokedAt: row.revoked_at };
}
