// The two registries a cited identifier is checked against, as the Worker calls them:
// - Crossref REST API, `GET /works/{doi}` (https://api.crossref.org/swagger-ui/index.html): DOIs, SciELO's
//   included (SciELO registers its articles' DOIs, prefix 10.1590, with Crossref). Callers that name
//   themselves with `mailto:` in the User-Agent are served from the "polite" pool.
// - NCBI E-utilities `esummary` (https://www.ncbi.nlm.nih.gov/books/NBK25499/): PMIDs (db=pubmed) and PMCIDs
//   (db=pmc), many ids per call. NCBI asks every caller for `tool` and `email` and allows 3 requests a second
//   per IP without an API key, 10 with one (NBK25497, "Usage Guidelines and Requirements").
// Each function answers found / not found per identifier, or throws SourceUnavailable when the registry did
// not answer usably (the circuit breaker counts those).
import type { ResolvedReference } from "../../plugin-host";

export type ReferenceSource = "crossref" | "pubmed" | "pmc";

export interface SourceSettings {
  crossrefUrl: string;
  eutilsUrl: string;
  ncbiTool: string;
  contactEmail: string | undefined;
  ncbiApiKey: string | undefined;
}

/** The registry did not answer (network, timeout, 429, 5xx, a body that is not its format). */
export class SourceUnavailable extends Error {
  constructor(
    readonly source: ReferenceSource,
    reason: string,
    /** A local refusal (the isolate's NCBI queue is full): not the registry's fault, not counted by the breaker. */
    readonly local = false,
  ) {
    super(`${source}: ${reason}`);
  }
}

const REQUEST_TIMEOUT_MS = 2_500;
const CROSSREF_CONCURRENCY = 3;
/** Ids per esummary request: NCBI recommends POST beyond about 200. */
const ESUMMARY_BATCH = 200;
/** Longer than this in the isolate's NCBI queue, and the ids are left "not verified" rather than waited for. */
const NCBI_MAX_QUEUE_MS = 3_000;

/**
 * Crossref update types that withdraw the work (Crossref "Crossmark" / update types: `retraction`, `withdrawal`,
 * `removal`). They reach `/works/{doi}` of the retracted work as `updated-by` entries, from the publisher's own
 * deposit (`source: "publisher"`) or from the Retraction Watch database (`source: "retraction-watch"`); the
 * notice itself carries the mirror relation `update-to`. Corrections and expressions of concern do not retract.
 */
const RETRACTING_UPDATES = new Set(["retraction", "withdrawal", "removal"]);

/** PubMed's publication type of a retracted article (its notice is "Retraction of Publication"). */
const PUBMED_RETRACTED = "Retracted Publication";

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const firstString = (value: unknown): string | undefined =>
  Array.isArray(value) ? value.find((v): v is string => typeof v === "string" && v.length > 0) : undefined;
const yearOf = (text: unknown): number | undefined => {
  const match = typeof text === "string" ? /\b(1[5-9]\d\d|20\d\d)\b/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
};
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function describe(source: ReferenceSource, fields: Record<string, unknown>): ResolvedReference {
  const out: ResolvedReference = { found: true, source, retracted: fields.retracted === true };
  if (typeof fields.title === "string" && fields.title) out.title = clip(fields.title.replace(/\s+/g, " ").trim(), 500);
  if (typeof fields.journal === "string" && fields.journal) out.journal = clip(fields.journal, 300);
  if (typeof fields.year === "number") out.year = fields.year;
  if (typeof fields.type === "string" && fields.type) out.type = clip(fields.type, 100);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Crossref

function crossrefUserAgent(settings: SourceSettings): string {
  // Crossref's etiquette: name the application and a contact; `mailto:` selects the polite pool.
  return settings.contactEmail ? `Vitalis/1.0 (mailto:${settings.contactEmail})` : "Vitalis/1.0";
}

/** A `/works/{doi}` message as a resolved reference. */
export function crossrefWork(message: unknown): ResolvedReference | null {
  if (!isRecord(message)) return null;
  const updates = Array.isArray(message["updated-by"]) ? message["updated-by"] : [];
  const retracted = updates.some((u) => isRecord(u) && typeof u.type === "string" && RETRACTING_UPDATES.has(u.type));
  const issued = isRecord(message.issued) ? message.issued["date-parts"] : undefined;
  const year = Array.isArray(issued) && Array.isArray(issued[0]) ? issued[0][0] : undefined;
  return describe("crossref", {
    title: firstString(message.title),
    journal: firstString(message["container-title"]),
    year: typeof year === "number" ? year : undefined,
    type: message.type,
    retracted,
  });
}

async function crossrefOne(doi: string, settings: SourceSettings): Promise<ResolvedReference> {
  let response: Response;
  try {
    // The DOI goes in the path as Crossref documents it, each character that is not a path character escaped.
    response = await fetch(`${settings.crossrefUrl}/works/${encodeURIComponent(doi).replace(/%2F/gi, "/")}`, {
      headers: { accept: "application/json", "user-agent": crossrefUserAgent(settings) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new SourceUnavailable("crossref", "no answer");
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return { found: false, source: "crossref" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new SourceUnavailable("crossref", `status ${response.status}`);
  }
  const body = (await response.json().catch(() => null)) as unknown;
  const work = isRecord(body) && body.status === "ok" ? crossrefWork(body.message) : null;
  if (!work) throw new SourceUnavailable("crossref", "not a Crossref work");
  return work;
}

/** DOIs → what Crossref knows of each (one request per DOI, a few at a time). */
export async function lookupDois(dois: string[], settings: SourceSettings): Promise<Map<string, ResolvedReference>> {
  const results = new Map<string, ResolvedReference>();
  let next = 0;
  const worker = async () => {
    while (next < dois.length) {
      const doi = dois[next++]!;
      results.set(doi, await crossrefOne(doi, settings));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CROSSREF_CONCURRENCY, dois.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// NCBI E-utilities

// NCBI's limit is per caller, and an isolate serves many requests at once: one queue for the whole isolate spaces
// its E-utilities calls (the only module state here, on purpose). Isolates on other machines have their own.
let nextNcbiSlot = 0;

async function ncbiTurn(settings: SourceSettings, source: ReferenceSource): Promise<void> {
  const spacing = Math.ceil(1000 / (settings.ncbiApiKey ? 10 : 3));
  const now = Date.now();
  const slot = Math.max(now, nextNcbiSlot);
  if (slot - now > NCBI_MAX_QUEUE_MS) throw new SourceUnavailable(source, "rate limit queue full", true);
  nextNcbiSlot = slot + spacing;
  if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
}

async function esummary(
  db: "pubmed" | "pmc",
  uids: string[],
  settings: SourceSettings,
): Promise<Record<string, unknown>> {
  const source: ReferenceSource = db;
  await ncbiTurn(settings, source);
  // POST, so the API key travels in the body and never in a URL (logs, proxies).
  const form = new URLSearchParams({ db, id: uids.join(","), retmode: "json", tool: settings.ncbiTool });
  if (settings.contactEmail) form.set("email", settings.contactEmail);
  if (settings.ncbiApiKey) form.set("api_key", settings.ncbiApiKey);
  let response: Response;
  try {
    response = await fetch(`${settings.eutilsUrl}/esummary.fcgi`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new SourceUnavailable(source, "no answer");
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new SourceUnavailable(source, `status ${response.status}`);
  }
  const body = (await response.json().catch(() => null)) as unknown;
  // A whole-request error (`{"error": "..."}`, or `esummaryresult` with an error list) is not an answer per id.
  if (!isRecord(body) || !isRecord(body.result)) throw new SourceUnavailable(source, "not an esummary result");
  return body.result;
}

/** One esummary document: missing (absent, or `{"error": "cannot get document summary"}`) or described. */
function summaryOf(result: Record<string, unknown>, uid: string): Record<string, unknown> | null {
  const doc = result[uid];
  return isRecord(doc) && doc.error === undefined ? doc : null;
}

function pubmedDocument(doc: Record<string, unknown>): ResolvedReference {
  const pubtypes = Array.isArray(doc.pubtype) ? doc.pubtype.filter((t): t is string => typeof t === "string") : [];
  return describe("pubmed", {
    title: doc.title,
    journal: typeof doc.fulljournalname === "string" && doc.fulljournalname ? doc.fulljournalname : doc.source,
    year: yearOf(doc.pubdate),
    type: pubtypes.filter((t) => t !== PUBMED_RETRACTED)[0] ?? pubtypes[0],
    retracted: pubtypes.includes(PUBMED_RETRACTED),
  });
}

async function batched(
  db: "pubmed" | "pmc",
  uids: string[],
  settings: SourceSettings,
): Promise<Record<string, unknown>> {
  const merged: Record<string, unknown> = {};
  for (let start = 0; start < uids.length; start += ESUMMARY_BATCH)
    Object.assign(merged, await esummary(db, uids.slice(start, start + ESUMMARY_BATCH), settings));
  return merged;
}

/** PMIDs (digits) → what PubMed knows of each, in one esummary call per 200. */
export async function lookupPmids(pmids: string[], settings: SourceSettings): Promise<Map<string, ResolvedReference>> {
  const results = new Map<string, ResolvedReference>();
  if (pmids.length === 0) return results;
  const result = await batched("pubmed", pmids, settings);
  for (const pmid of pmids) {
    const doc = summaryOf(result, pmid);
    results.set(pmid, doc ? pubmedDocument(doc) : { found: false, source: "pubmed" });
  }
  return results;
}

/**
 * PMCIDs ("PMC" + digits) → what PMC knows of each. PMC's summaries carry no publication types, so a retraction
 * is read from the article's PubMed record (its `articleids` name the PMID), in one more esummary call.
 */
export async function lookupPmcids(
  pmcids: string[],
  settings: SourceSettings,
): Promise<Map<string, ResolvedReference>> {
  const results = new Map<string, ResolvedReference>();
  if (pmcids.length === 0) return results;
  const uid = (pmcid: string) => pmcid.replace(/^pmc/i, "");
  const result = await batched("pmc", pmcids.map(uid), settings);
  const linked = new Map<string, string>();
  for (const pmcid of pmcids) {
    const doc = summaryOf(result, uid(pmcid));
    if (!doc) {
      results.set(pmcid, { found: false, source: "pmc" });
      continue;
    }
    results.set(
      pmcid,
      describe("pmc", {
        title: doc.title,
        journal: typeof doc.fulljournalname === "string" && doc.fulljournalname ? doc.fulljournalname : doc.source,
        year: yearOf(doc.pubdate),
        type: "Journal Article",
      }),
    );
    const ids = Array.isArray(doc.articleids) ? doc.articleids : [];
    const pmid = ids.find((a) => isRecord(a) && a.idtype === "pmid" && typeof a.value === "string");
    if (isRecord(pmid) && /^\d{1,8}$/.test(String(pmid.value))) linked.set(pmcid, String(pmid.value));
  }
  if (linked.size > 0) {
    const pubmed = await lookupPmids([...new Set(linked.values())], settings);
    for (const [pmcid, pmid] of linked) {
      if (pubmed.get(pmid)?.retracted) results.set(pmcid, { ...results.get(pmcid)!, retracted: true });
    }
  }
  return results;
}
