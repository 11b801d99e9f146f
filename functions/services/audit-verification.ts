import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import { type AuditCheckpoint, auditCheckpoints, auditEvents, auditVerifications } from "../../schema";
import type { Transaction } from "../lib/db";
import type { Pace } from "../lib/pace";
import type { Scope } from "../scope";
import { CHAIN_START, type ChainPosition, type ChainVerification, walkAuditChain } from "./audit";
import { type AnchorComparison, compareAnchoredCheckpoints } from "./audit-anchors";
import { type CheckpointCheck, type CheckpointFailure, checkpointSignatureFailure } from "./audit-query";
import { openAutomaticIncident } from "./incidents";

/**
 * Incremental verification of each tenant's audit chain, run by a job (jobs/audit-verify.ts) rather than in a
 * request: recomputing a whole chain costs ~19 µs of CPU per event, past a Worker's CPU limit at ~1.5M events
 * (a clinic-year is ~1M). Each run
 *   1. checks that the last event it verified still has the hash it verified (and that every checkpoint still
 *      names its event's hash, one indexed join); if not, the chain was rewritten and it starts over from the
 *      genesis, as `npm run audit:verify` always does;
 *   2. recomputes only the events after that one, at most `maxEvents` of them (the rest next run), then spends
 *      what is left of `maxEvents` re-verifying the part verified before, from where the last run's re-check
 *      stopped (an event edited in place, its hash left alone, shows only when recomputed), restarting at the
 *      genesis once it reaches the verified head: every event is recomputed again within chain/`maxEvents` runs.
 *      The job's pace (lib/pace.ts) rests between pages of `VERIFY_PAGE_EVENTS`; its spent budget ends the re-check
 *      only;
 *   3. verifies the signatures of only the checkpoints it has not verified before: the ones it verified are
 *      recognised by a digest over their ids and signatures computed in PostgreSQL, so one removed or slipped in
 *      among them makes it verify them all again; compares those with their anchored copies in the bucket
 *      (services/audit-anchors.ts), and again the ones last found missing or different;
 *   4. stores the verdict, the position and when it was computed (`audit_verifications`); `GET /api/audit/verify`
 *      answers that. A break is stored, not passed over: the position stays at the last intact event, so every
 *      later run finds the break again until someone looks.
 * `npm run audit:verify` (scripts/audit-verify.ts) keeps the full recomputation for operators.
 */

/** Events one run recomputes per tenant: ~2 s of CPU at 19 µs an event; the job picks up the rest next hour. */
export const VERIFY_MAX_EVENTS = 100_000;

/** CPU one checkpoint's signatures cost: ML-DSA-65's verification in JavaScript, ~8 ms measured (Ed25519 is native). */
const CHECKPOINT_CPU_MS = 8;

/** CPU one event's recomputation costs (~19 µs, measured). */
const EVENT_CPU_MS = 0.019;

/**
 * Events a page of the paced walk reads: ~2 ms of hashing. A page is one burst of CPU that a request arriving
 * meanwhile (a sign-in's PBKDF2, on the same cores) waits behind, so the page's length, not only the pace's duty,
 * is what a request's p95 sees: at 500 events a page (~10 ms of hashing, plus decoding the rows) sign-in's p95 during
 * the verification was 1.23–1.28× idle. The extra round trips cost little beside the hashing.
 */
export const VERIFY_PAGE_EVENTS = 100;

/**
 * The walk's pages under the job's pace: before each page, the previous one is charged and the pace rests what it
 * owes, then says whether the budget allows another page. A page is charged its wall time plus its events'
 * hashing: the Worker's clock stands still while JavaScript computes (it moves with I/O only), so the wall time it
 * reads is the page's I/O alone and the hashing comes on top of it, never inside it.
 */
function pacedPages(pace: Pace) {
  let page: { started: number; checked: number } | null = null;
  const settle = (checked: number) => {
    if (page) pace.done(Date.now() - page.started + (checked - page.checked) * EVENT_CPU_MS);
    page = null;
  };
  return {
    settle,
    /** Before a page the spent budget may cut (the re-check): false stops the walk. */
    async beforePage(checked: number): Promise<boolean> {
      settle(checked);
      const go = await pace.next();
      if (go) page = { started: Date.now(), checked };
      return go;
    },
    /** Before a page the budget never cuts (new events): it rests all the same. */
    async beforeNewPage(checked: number): Promise<boolean> {
      settle(checked);
      await pace.next();
      page = { started: Date.now(), checked };
      return true;
    },
  };
}

export interface VerificationRun {
  /** New events recomputed by this run (after the last verified one). */
  eventsChecked: number;
  /** Events verified before that this run recomputed again (the rolling re-check). */
  eventsRechecked: number;
  /** Checkpoints whose signatures this run verified. */
  checkpointsChecked: number;
  /** Whether the run reached the chain's head (false: `maxEvents` stopped it; the next run continues). */
  complete: boolean;
  /** Whether the run started from the genesis (first run, or the verified part had changed). */
  fromGenesis: boolean;
}

export interface StoredVerification {
  ok: boolean;
  chain: ChainVerification;
  checkpoints: CheckpointCheck;
  /** The checkpoints compared with their anchored copies in the bucket (services/audit-anchors.ts). */
  anchors: AnchorComparison;
  run: VerificationRun;
}

/** What the API answers: the stored verdict and when it was computed; `pending` until the job first ran. */
export type AuditVerificationAnswer =
  | ({ status: "verified" | "broken"; computedAt: string } & StoredVerification)
  | { status: "pending"; ok: false; computedAt: null };

export async function readAuditVerification(scope: Scope): Promise<AuditVerificationAnswer> {
  const [row] = await scope.transaction((tx) =>
    tx.select().from(auditVerifications).where(eq(auditVerifications.tenantId, scope.tenant.id)).limit(1),
  );
  if (!row) return { status: "pending", ok: false, computedAt: null };
  const stored = row.result as unknown as StoredVerification;
  return { status: row.ok ? "verified" : "broken", computedAt: row.computedAt.toISOString(), ...stored };
}

/** md5 over the first `n` checkpoints (signed_at, id order): their identity and signatures, computed in SQL. */
async function checkpointsDigest(tx: Transaction, tenantId: string, n: number): Promise<string | null> {
  if (n === 0) return null;
  const { rows } = await tx.execute<{ digest: string | null }>(sql`
    select md5(string_agg(id::text || ':' || seq || ':' || ed25519_signature || ':' || mldsa_signature, ','
                          order by signed_at, id)) as digest
      from (select id, seq, signed_at, ed25519_signature, mldsa_signature from ${auditCheckpoints}
             where tenant_id = ${tenantId} order by signed_at, id limit ${n}) verified`);
  return rows[0]?.digest ?? null;
}

/** The checkpoint with the lowest seq whose event is missing or no longer has the signed hash. */
async function firstHeadMismatch(
  tx: Transaction,
  tenantId: string,
): Promise<{ seq: number; reason: CheckpointFailure } | null> {
  const { rows } = await tx.execute<{ seq: string; missing: boolean }>(sql`
    select c.seq, e.hash is null as missing
      from ${auditCheckpoints} c
      left join ${auditEvents} e on e.tenant_id = c.tenant_id and e.seq = c.seq
     where c.tenant_id = ${tenantId} and (e.hash is null or e.hash <> c.head_hash)
     order by c.seq limit 1`);
  const row = rows[0];
  return row ? { seq: Number(row.seq), reason: row.missing ? "event_missing" : "head_mismatch" } : null;
}

/**
 * One incremental run over the scope's tenant (see the module comment). Returns null when another run holds the
 * tenant (overlapping cron invocations): that one does the work.
 */
export async function verifyAuditIncrementally(
  scope: Scope,
  pinned: ReadonlySet<string>,
  options: {
    maxEvents?: number;
    now?: Date;
    /** The job's pace (lib/pace.ts): rests between pages, and its spent budget stops the walk like `maxEvents`. */
    pace?: Pace;
    pageSize?: number;
  } = {},
): Promise<StoredVerification | null> {
  const tenantId = scope.tenant.id;
  const pages = options.pace ? pacedPages(options.pace) : null;
  const pageEvents = options.pageSize ?? (options.pace ? VERIFY_PAGE_EVENTS : undefined);
  const pageSize = pageEvents ? { pageSize: pageEvents } : {};
  return scope.transaction(async (tx) => {
    const [lock] = (
      await tx.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_xact_lock(hashtextextended(${`audit-verify:${tenantId}`}, 0)) as locked`,
      )
    ).rows;
    if (!lock?.locked) return null;
    const [state] = await tx
      .select()
      .from(auditVerifications)
      .where(eq(auditVerifications.tenantId, tenantId))
      .limit(1);

    // 1. Is the part verified before still the chain it verified?
    let from: ChainPosition = state ? { seq: state.verifiedSeq, hash: state.verifiedHash } : CHAIN_START;
    if (from.seq > 0) {
      const [still] = await tx
        .select({ hash: auditEvents.hash })
        .from(auditEvents)
        .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.seq, from.seq)))
        .limit(1);
      if (still?.hash !== from.hash) from = CHAIN_START;
    }
    const headMismatch = await firstHeadMismatch(tx, tenantId);
    if (headMismatch) from = CHAIN_START;

    // 2. The events after it, then the rolling re-check of the part verified before.
    const maxEvents = options.maxEvents ?? VERIFY_MAX_EVENTS;
    // New events rest between pages but are never left for the budget (maxEvents bounds them): a tenant late in
    // the run still has its new events verified; only the re-check below gives way to the budget.
    const walk = await walkAuditChain(tx, tenantId, {
      from,
      maxEvents,
      ...pageSize,
      ...(pages ? { beforePage: pages.beforeNewPage } : {}),
    });
    pages?.settle(walk.checked);
    let recheckFrom: ChainPosition =
      state && from.seq > 0 && state.recheckSeq < from.seq
        ? { seq: state.recheckSeq, hash: state.recheckHash }
        : CHAIN_START;
    let recheck = null;
    if (walk.verification.ok && from.seq > 0 && walk.checked < maxEvents) {
      recheck = await walkAuditChain(tx, tenantId, {
        from: recheckFrom,
        untilSeq: from.seq,
        maxEvents: maxEvents - walk.checked,
        ...pageSize,
        ...(pages ? { beforePage: pages.beforePage } : {}),
      });
      pages?.settle(recheck.checked);
      recheckFrom = recheck.intact.seq >= from.seq ? CHAIN_START : recheck.intact;
    }
    const chain = recheck && !recheck.verification.ok ? recheck.verification : walk.verification;

    // 3. The checkpoints not verified before.
    const tailStarted = Date.now();
    const [total] = await tx
      .select({ n: count() })
      .from(auditCheckpoints)
      .where(eq(auditCheckpoints.tenantId, tenantId));
    const checkpointRows = total?.n ?? 0;
    const known = state && state.checkpointsVerified <= checkpointRows ? state.checkpointsVerified : 0;
    const unchanged = known > 0 && (await checkpointsDigest(tx, tenantId, known)) === state?.checkpointsDigest;
    const skip = unchanged ? known : 0;
    const unverified: AuditCheckpoint[] = await tx
      .select()
      .from(auditCheckpoints)
      .where(eq(auditCheckpoints.tenantId, tenantId))
      .orderBy(asc(auditCheckpoints.signedAt), asc(auditCheckpoints.id))
      .offset(skip);
    let signatureFailure: { seq: number; reason: CheckpointFailure } | null = null;
    for (const checkpoint of unverified) {
      const reason = await checkpointSignatureFailure(checkpoint, pinned);
      if (reason && (!signatureFailure || checkpoint.seq < signatureFailure.seq))
        signatureFailure = { seq: checkpoint.seq, reason };
    }
    const failures = [signatureFailure, headMismatch].filter((failure) => failure !== null);
    const failure = failures.sort((a, b) => a.seq - b.seq)[0] ?? null;
    const checkpoints: CheckpointCheck = { checked: checkpointRows, ok: failure === null, failure };
    const anchors = await anchorsToRecheck(tx, scope, state, unverified, skip);

    // 4. The verdict and the new position.
    const result: StoredVerification = {
      ok: chain.ok && checkpoints.ok && anchors.ok,
      chain,
      checkpoints,
      anchors,
      run: {
        eventsChecked: walk.checked,
        eventsRechecked: recheck?.checked ?? 0,
        checkpointsChecked: unverified.length,
        complete: walk.complete,
        fromGenesis: from.seq === 0,
      },
    };
    const verifiedCheckpoints = signatureFailure ? skip : checkpointRows;
    const values = {
      verifiedSeq: walk.intact.seq,
      verifiedHash: walk.intact.hash,
      recheckSeq: recheckFrom.seq,
      recheckHash: recheckFrom.hash,
      checkpointsVerified: verifiedCheckpoints,
      checkpointsDigest: await checkpointsDigest(tx, tenantId, verifiedCheckpoints),
      ok: result.ok,
      result: result as unknown as Record<string, unknown>,
      computedAt: options.now ?? new Date(),
    };
    await tx
      .insert(auditVerifications)
      .values({ tenantId, ...values })
      .onConflictDoUpdate({ target: auditVerifications.tenantId, set: values });
    // Like a walk's page, the checkpoints' signatures are a burst of CPU the next page (or tenant) rests after.
    if (unverified.length > 0) options.pace?.done(Date.now() - tailStarted + unverified.length * CHECKPOINT_CPU_MS);
    // A chain that stops verifying is itself an event worth keeping (once, when the verdict turns).
    if (!result.ok && (state?.ok ?? true)) {
      await scope.audit(
        tx,
        "audit.verification_failed",
        { type: "audit_chain", id: tenantId },
        { chain: result.chain, checkpoints: result.checkpoints.failure },
      );
      // A broken chain may be someone covering their tracks: a security incident until shown otherwise.
      await openAutomaticIncident(scope, tx, {
        source: "audit_chain",
        dedupeKey: `audit_chain:${values.computedAt.toISOString()}`,
        title: "The audit chain failed verification",
        description:
          "The hourly verification found the audit log or its signed checkpoints altered (GET /api/audit/verify names the first broken link). Someone with database access may have changed or removed records.",
        now: values.computedAt,
        alert: (communicationDue) => ({
          kind: "audit_chain_broken",
          detectedAt: values.computedAt.toISOString(),
          communicationDue,
        }),
      });
    }
    return result;
  });
}

/**
 * Step 3's anchored copies: the checkpoints this run verifies (all of them when the verified ones changed), and
 * those the last run found missing or different (an anchor written since, or still wrong), each read from the
 * bucket; anchors are listed from the first of them, so a copy whose row was deleted shows as `unrecorded`.
 */
async function anchorsToRecheck(
  tx: Transaction,
  scope: Scope,
  state: { result: Record<string, unknown> } | undefined,
  unverified: readonly AuditCheckpoint[],
  skip: number,
): Promise<AnchorComparison> {
  const tenantId = scope.tenant.id;
  const previous = (state?.result as Partial<StoredVerification> | undefined)?.anchors;
  const again = skip > 0 ? [...(previous?.missing ?? []), ...(previous?.differs ?? [])] : [];
  const againRows = again.length
    ? await tx
        .select()
        .from(auditCheckpoints)
        .where(and(eq(auditCheckpoints.tenantId, tenantId), inArray(auditCheckpoints.seq, again)))
    : [];
  const bySeq = new Map([...unverified, ...againRows].map((row) => [row.seq, row]));
  const compare = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  if (skip > 0 && compare.length === 0) return { checked: 0, ok: true, missing: [], differs: [], unrecorded: [] };
  const first = compare[0];
  return compareAnchoredCheckpoints(
    scope.storage,
    tenantId,
    compare,
    skip > 0 && first ? { afterSeq: first.seq - 1 } : {},
  );
}
