import type { Redis } from "@upstash/redis/cloudflare";
import { eq } from "drizzle-orm";
import { tenants } from "../schema";
import { type Config, type DatabaseConfig, requireSection, type SectionName, type SectionValue } from "./env";
import type { DomainEvent } from "./events";
import type { Actor, TenantContext, UserActor } from "./lib/actor";
import { createDatabase, type Database, type Transaction, withTenant } from "./lib/db";
import { createHttpDatabase, type HttpDatabase, type ReadBatch, readAsTenant, type ReadResults } from "./lib/db-http";
import { UnauthorizedError } from "./lib/errors";
import { lazy } from "./lib/lazy";
import type { Logger } from "./lib/logging";
import { createRedis } from "./lib/redis";
import { createS3 } from "./lib/s3";
import { appendAudit, type AuditEvent } from "./services/audit";
import type { Storage } from "./services/media-storage";

/** What an audit event is about: `{ type: "post", id }`, `{ type: "route", id: "GET /api/…" }`. */
export interface AuditTarget {
  type: string;
  id: string | null;
}

/** Who an audit event names, when it is not the scope's actor (a sign-in names the user it signs in). */
export interface AuditActor {
  /** `service`: a tenant's service account, acting through one of its API tokens (schema/users.ts `kind`). */
  type: "user" | "service" | "system" | "anonymous" | "platform";
  id: string | null;
}

/**
 * Everything a service needs to do one piece of work for one tenant: the clients, who is asking, and the
 * two ways its changes reach the world (the audit chain, and effects after commit). A request has one
 * (middleware/scope.ts); a job makes one per tenant it works on (jobs/run.ts). Services take
 * `(scope, input)` and never see Hono.
 */
export interface Scope {
  readonly config: Config;
  /** The WebSocket pool, for writes and interactive transactions; opened at first use. */
  readonly db: Database;
  /** The HTTP driver, for one-shot reads that need no tenant (lookups by hostname); see `read` for tenant data. */
  readonly http: HttpDatabase;
  readonly redis: Redis;
  readonly storage: Storage;
  readonly tenant: TenantContext;
  readonly actor: Actor;
  readonly requestId: string | null;
  readonly logger: Logger;
  /** A config section's value, or a ConfigError naming the variables that are wrong. */
  section<K extends SectionName>(name: K): SectionValue<K>;
  /**
   * Runs `fn` in one transaction under this tenant's row-level security (lib/db `withTenant`). Events raised
   * with `afterCommit` inside it are kept only if it commits.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Reads this tenant's data in one HTTP round trip (lib/db-http `readAsTenant`): the statements `build` makes
   * on the HTTP driver run in one read-only transaction under this tenant's row-level security, and each one's
   * result comes back in order. For public reads (site, feeds, sitemaps, the WordPress API, search): no
   * WebSocket is opened. Anything that writes, audits or must see its own reads between statements uses
   * `transaction`.
   */
  read<T extends ReadBatch>(build: (db: HttpDatabase) => T): Promise<ReadResults<T>>;
  /**
   * Appends an event to the tenant's hash-chained audit log in `tx`, so it commits with the change it
   * records. The actor and request id are the scope's unless `options.as` names another actor.
   */
  audit(
    tx: Transaction,
    action: string,
    target?: AuditTarget | null,
    details?: Record<string, unknown>,
    options?: { as?: AuditActor },
  ): Promise<AuditEvent>;
  /** Raises a domain event, delivered to its listeners (functions/effects.ts) once `tx` has committed. */
  afterCommit(tx: Transaction, event: DomainEvent): void;
  /** The events of committed transactions not yet delivered; taking them empties the queue. */
  takeCommittedEvents(): DomainEvent[];
  /** Whether committed transactions left events to deliver (without taking them). */
  readonly hasCommittedEvents: boolean;
}

/** The per-request (or per-job) clients a scope is built on. */
export interface Clients {
  config: Config;
  db: Database;
  http: HttpDatabase;
  redis: Redis;
  storage: Storage;
  /** Ends the database pool, if it was opened; call it once the work (and its after-commit effects) is done. */
  close(): Promise<void>;
}

/** Clients opened by `openClients`, which can tell whether there is a pool for `close` to end. */
export interface OpenedClients extends Clients {
  /** Whether the WebSocket pool was opened (by a first use of `db`). */
  readonly poolOpened: boolean;
}

/**
 * Opens the clients from config, on `database` (the app role's by default; the platform operator's for platform
 * work). The pool, Redis and S3 clients are built at first use, so work that never touches one neither pays for
 * it nor fails on its configuration: a public page read over HTTP never opens a WebSocket. The HTTP read client
 * is the isolate's own (lib/db-http `createHttpDatabase`: it holds no I/O object), handed out as it is.
 * Workers may not share I/O objects between requests: clients are never module-level.
 */
export function openClients(
  config: Config,
  database: DatabaseConfig = requireSection(config, "database"),
): OpenedClients {
  let pooled: ReturnType<typeof createDatabase> | undefined;
  const db = lazy(() => (pooled ??= createDatabase(database)).db);
  const http = createHttpDatabase(database);
  const redis = lazy(() => createRedis(requireSection(config, "redis")));
  const storage: Storage = {
    s3: lazy(() => createS3(requireSection(config, "s3"))),
    get bucket() {
      return requireSection(config, "s3").bucket;
    },
  };
  return {
    config,
    db,
    http,
    redis,
    storage,
    get poolOpened() {
      return pooled !== undefined;
    },
    close: async () => {
      await pooled?.pool.end().catch(() => undefined);
    },
  };
}

export function auditActorOf(actor: Actor): AuditActor {
  switch (actor.kind) {
    case "user":
      return { type: actor.apiToken?.principal === "service" ? "service" : "user", id: actor.userId };
    case "system":
      return { type: "system", id: null };
    case "platform":
      return { type: "platform", id: actor.via };
    case "anonymous":
      return { type: "anonymous", id: null };
  }
}

/** A scope over `clients` for one tenant and actor; its after-commit events are delivered by functions/effects.ts. */
export function createScope(
  clients: Clients,
  who: { tenant: TenantContext; actor: Actor; requestId: string | null; logger: Logger },
): Scope {
  const events: DomainEvent[] = [];
  const pending = new WeakMap<Transaction, DomainEvent[]>();
  const { tenant, actor, requestId } = who;
  return {
    config: clients.config,
    db: clients.db,
    http: clients.http,
    redis: clients.redis,
    storage: clients.storage,
    tenant,
    actor,
    requestId,
    logger: who.logger,
    section: (name) => requireSection(clients.config, name),
    async transaction(fn) {
      const raised: DomainEvent[] = [];
      const result = await withTenant(
        clients.db,
        tenant.id,
        (tx) => {
          pending.set(tx, raised);
          return fn(tx);
        },
        actor.kind === "user" ? { userId: actor.userId } : {},
      );
      events.push(...raised);
      return result;
    },
    read(build) {
      return readAsTenant(
        clients.http,
        tenant.id,
        build(clients.http),
        actor.kind === "user" ? { userId: actor.userId } : {},
      );
    },
    audit(tx, action, target = null, details = {}, options = {}) {
      const as = options.as ?? auditActorOf(actor);
      // A change made with an API token names the token beside its member (never the secret).
      if (!options.as && actor.kind === "user" && actor.apiToken)
        details = { ...details, apiTokenId: actor.apiToken.id };
      return appendAudit(tx, {
        tenantId: tenant.id,
        actorType: as.type,
        actorId: as.id,
        action,
        targetType: target?.type ?? null,
        targetId: target?.id ?? null,
        requestId,
        details,
      });
    },
    afterCommit(tx, event) {
      const raised = pending.get(tx);
      // Fail loudly: an event raised outside scope.transaction would never be delivered.
      if (!raised) throw new Error("afterCommit needs a transaction opened by scope.transaction");
      raised.push(event);
    },
    takeCommittedEvents: () => events.splice(0, events.length),
    get hasCommittedEvents() {
      return events.length > 0;
    },
  };
}

/** The signed-in user the work is for, or 401. */
export function requireUser(scope: Scope): UserActor {
  if (scope.actor.kind !== "user") throw new UnauthorizedError();
  return scope.actor;
}

/**
 * Work that spans tenants: a job (listing them, signing every chain head) or the platform operator (creating
 * and suspending tenants). It has the clients, and a scope for each tenant it works in, acting as the job's
 * system actor or as the platform; whoever made it delivers those scopes' effects (jobs/run.ts,
 * routes/platform, scripts/tenant.ts).
 */
export interface PlatformScope {
  readonly clients: Clients;
  readonly logger: Logger;
  readonly actor: Extract<Actor, { kind: "system" | "platform" }>;
  readonly requestId: string | null;
  forTenant(tenant: TenantContext): Scope;
  /** The tenants a job serves: every active one (a suspended tenant's data waits, untouched), read past RLS. */
  activeTenants(): Promise<TenantContext[]>;
}

/** A platform scope over `clients`; `scopes` collects the tenant scopes it made, whose effects the caller delivers. */
export function createPlatformScope(
  clients: Clients,
  who: { actor: PlatformScope["actor"]; requestId: string | null; logger: Logger },
): { platform: PlatformScope; scopes: Scope[] } {
  const scopes: Scope[] = [];
  const platform: PlatformScope = {
    clients,
    logger: who.logger,
    actor: who.actor,
    requestId: who.requestId,
    forTenant(tenant) {
      const scope = createScope(clients, { tenant, ...who });
      scopes.push(scope);
      return scope;
    },
    activeTenants() {
      return clients.db
        .select({ id: tenants.id, slug: tenants.slug, name: tenants.name })
        .from(tenants)
        .where(eq(tenants.status, "active"));
    },
  };
  return { platform, scopes };
}
