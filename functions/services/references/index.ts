// Cited identifiers resolved for real (DOI → Crossref, PMID/PMCID → NCBI E-utilities; see sources.ts), behind a
// Redis cache and a circuit breaker per source. Plugins do no I/O: the analysis pipeline hands what this finds to
// scientific-refs as `context.resolved`, which turns it into findings (retracted: blocking; unknown: warning;
// not verified: warning).
import type { Redis } from "@upstash/redis/cloudflare";
import type { ResolvedReference, ResolveReferences } from "../../plugin-host";
import type { Logger } from "../../lib/logging";
import type { Scope } from "../../scope";
import {
  lookupDois,
  lookupPmcids,
  lookupPmids,
  type ReferenceSource,
  type SourceSettings,
  SourceUnavailable,
} from "./sources";

/** How long an answer (found, not found, retracted) is reused: a week; published items are re-checked daily. */
const CACHE_SECONDS = 7 * 86400;
/** At most this many identifiers of one text are looked up; the rest stay unresolved (no finding). */
const MAX_IDS = 50;
/** Consecutive failures of a source that open its breaker, and how long it then stays open. */
const BREAKER_THRESHOLD = 3;
const BREAKER_OPEN_SECONDS = 60;
/** Failures are remembered longer than the breaker stays open: one failed trial after it closes reopens it. */
const BREAKER_MEMORY_SECONDS = 15 * 60;

export type ReferenceKind = "doi" | "pmid" | "pmcid";

/** Which registry answers for an identifier as scientific-refs writes it; null: none is asked (SciELO PIDs). */
export function referenceKind(id: string): ReferenceKind | null {
  if (/^10\.\d{4,9}\/\S+$/.test(id)) return "doi";
  if (/^PMC\d{1,9}$/i.test(id)) return "pmcid";
  if (/^\d{1,8}$/.test(id)) return "pmid";
  return null;
}

const SOURCE_OF: Record<ReferenceKind, ReferenceSource> = { doi: "crossref", pmid: "pubmed", pmcid: "pmc" };

/** DOIs are case-insensitive (ISO 26324), PMCIDs too in practice: one cache entry whatever the spelling. */
const normalise = (id: string): string => id.toLowerCase();
const cacheKey = (id: string): string => `vitalis:ref:v2:${normalise(id)}`;

// A breaker guards one endpoint: the real API in production, whichever stand-in a test or developer points at.
const breakerKeys = (source: ReferenceSource, settings: SourceSettings) => {
  const host = new URL(source === "crossref" ? settings.crossrefUrl : settings.eutilsUrl).host;
  const base = `vitalis:ref-breaker:${source}:${host}`;
  return { open: `${base}:open`, failures: `${base}:failures` };
};

interface ResolveDeps {
  redis: Redis;
  logger: Logger;
  settings: SourceSettings;
}

export interface ResolveOptions {
  /** Skip the cache (the daily retraction re-check); answers still refresh it. */
  fresh?: boolean;
}

/**
 * Resolves identifiers: cached answers first (one MGET, which also reads the breakers), then one batch per
 * source for the rest. A source whose breaker is open, or that fails now, leaves its identifiers
 * `{ found: true, verified: false }` (not cached), so the save goes on and the finding says "not verified".
 * Never throws for a source's failure.
 */
export async function resolveIdentifiers(
  deps: ResolveDeps,
  ids: string[],
  options: ResolveOptions = {},
): Promise<Record<string, ResolvedReference>> {
  const result: Record<string, ResolvedReference> = {};
  const wanted = [...new Set(ids)].filter((id) => referenceKind(id) !== null).slice(0, MAX_IDS);
  if (wanted.length === 0) return result;

  const sources = [...new Set(wanted.map((id) => SOURCE_OF[referenceKind(id)!]))];
  const breakers = sources.map((source) => breakerKeys(source, deps.settings));
  const cacheKeys = options.fresh ? [] : wanted.map(cacheKey);
  const stored = await deps.redis.mget<unknown[]>(
    ...cacheKeys,
    ...breakers.flatMap((keys) => [keys.open, keys.failures]),
  );
  const misses: Record<ReferenceKind, string[]> = { doi: [], pmid: [], pmcid: [] };
  wanted.forEach((id, index) => {
    const hit = options.fresh ? null : stored[index];
    if (hit && typeof hit === "object") result[id] = hit as ResolvedReference;
    else misses[referenceKind(id)!].push(id);
  });
  const breakerState = new Map(
    sources.map((source, index) => {
      const open = stored[cacheKeys.length + 2 * index];
      const failures = Number(stored[cacheKeys.length + 2 * index + 1] ?? 0);
      return [source, { open: open !== null && open !== undefined, failures }];
    }),
  );

  const lookups: Array<[ReferenceKind, (ids: string[], s: SourceSettings) => Promise<Map<string, ResolvedReference>>]> =
    [
      ["doi", lookupDois],
      ["pmid", lookupPmids],
      ["pmcid", lookupPmcids],
    ];
  const toCache: Array<[string, ResolvedReference]> = [];
  await Promise.all(
    lookups.map(async ([kind, lookup]) => {
      const pending = misses[kind];
      if (pending.length === 0) return;
      const source = SOURCE_OF[kind];
      const state = breakerState.get(source)!;
      const keys = breakerKeys(source, deps.settings);
      const unverified = () => {
        for (const id of pending) result[id] = { found: true, verified: false, source };
      };
      if (state.open) return unverified();
      try {
        const answers = await lookup(pending, deps.settings);
        for (const id of pending) {
          const answer = answers.get(id);
          if (!answer) continue;
          result[id] = answer;
          toCache.push([id, answer]);
        }
        if (state.failures > 0) await deps.redis.del(keys.failures);
      } catch (error) {
        unverified();
        if (!(error instanceof SourceUnavailable)) throw error;
        deps.logger.warn("reference source unavailable", { source, reason: error.message });
        if (error.local) return;
        await recordFailure(deps.redis, keys, deps.logger, source);
      }
    }),
  );
  if (toCache.length > 0) {
    const pipeline = deps.redis.pipeline();
    for (const [id, answer] of toCache) pipeline.set(cacheKey(id), answer, { ex: CACHE_SECONDS });
    await pipeline.exec();
  }
  return result;
}

async function recordFailure(
  redis: Redis,
  keys: { open: string; failures: string },
  logger: Logger,
  source: ReferenceSource,
): Promise<void> {
  const [failures] = await redis
    .pipeline()
    .incr(keys.failures)
    .expire(keys.failures, BREAKER_MEMORY_SECONDS)
    .exec<[number, number]>();
  if (failures >= BREAKER_THRESHOLD) {
    await redis.set(keys.open, 1, { ex: BREAKER_OPEN_SECONDS });
    logger.warn("reference source circuit opened", { source, failures });
  }
}

/** The analysis configuration's reference settings, as the sources take them. */
export function referenceSettings(scope: Pick<Scope, "section">): SourceSettings {
  return scope.section("analysis").references;
}

/**
 * The analysis pipeline's `resolveReferences` for a scope. Lookups are best effort: a Redis or source failure
 * leaves identifiers unresolved or not verified rather than failing the analysis.
 */
export function referenceResolver(scope: Scope): ResolveReferences {
  return async (ids) => {
    try {
      return await resolveIdentifiers(
        { redis: scope.redis, logger: scope.logger, settings: referenceSettings(scope) },
        ids,
      );
    } catch (error) {
      // Redis (or a bug) failed, not a source: nothing was checked, and the findings say so.
      scope.logger.warn("references not resolved", { error });
      const kinds = ids.filter((id) => referenceKind(id) !== null);
      return Object.fromEntries(
        kinds.map((id) => [id, { found: true, verified: false, source: SOURCE_OF[referenceKind(id)!] }]),
      );
    }
  };
}
