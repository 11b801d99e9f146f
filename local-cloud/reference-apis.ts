/**
 * A stand-in for the two registries the Worker checks citations against, on one origin (the Worker's
 * `REFERENCE_RESOLVER_URL`), answering from fixtures in the registries' documented formats:
 * - Crossref REST API: `GET /works/{doi}` → `{"status":"ok","message-type":"work","message-version":"1.0.0",
 *   "message":{…}}`, or 404 "Resource not found." for a DOI Crossref does not know.
 * - NCBI E-utilities: `GET|POST /entrez/eutils/esummary.fcgi` (db=pubmed|pmc, id=a,b,…, retmode=json) →
 *   `{"header":{…},"result":{"uids":[…],"<uid>":{…}}}`, an unknown uid as `{"uid":…,"error":"cannot get document
 *   summary"}` (HTTP 200, as NCBI answers). It refuses a call without `tool` (NCBI asks every caller for it).
 * Fixtures (local-cloud/fixtures/references/): the retracted Wakefield et al., Lancet 1998 (PMID 9500320, DOI
 * 10.1016/S0140-6736(97)11096-0) and its retraction notice, the SPRINT trial (NEJM 2015, PMID 26551272,
 * PMC4689591), the references of the demo articles (scripts/demo-articles.ts), and an illustrative SciELO record
 * (10.1590/vitalis-fixture-0001, invented to show the format). Any other DOI does not exist,
 * except those under Crossref's test prefix `10.5555/generated-…`, answered as found so each test can cite a
 * DOI no other test has cached. `setDown(true)` answers 503 to everything (a registry outage); `retract(doi)`
 * publishes a retraction of a generated DOI (an `updated-by` entry, as Crossref shows one), as happens years later.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReferenceApisOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface ReferenceApis {
  /** The origin to give the Worker as REFERENCE_RESOLVER_URL. */
  url: string;
  /** Requests answered so far, by API. */
  requests: { crossref: number; esummary: number };
  /** The last esummary parameters (`tool`, `email`, `api_key`), for tests of identification. */
  lastEsummary: URLSearchParams | null;
  /** The User-Agent of the last Crossref request (the polite pool's `mailto:`). */
  lastCrossrefUserAgent: string | null;
  /** From now on, the generated DOI is retracted (a notice under 10.5555/retraction-of-…). */
  retract(doi: string): void;
  /** While down, every request gets 503, as during a registry outage. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

type Fixtures = Record<string, Record<string, unknown>>;
const fixture = (name: string): Fixtures =>
  JSON.parse(readFileSync(new URL(`./fixtures/references/${name}`, import.meta.url), "utf8")) as Fixtures;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8" }).end(JSON.stringify(body));
}

async function formOf(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  if (req.method !== "POST") return url.searchParams;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startReferenceApis(opts: ReferenceApisOptions = {}): Promise<ReferenceApis> {
  const works = fixture("crossref-works.json");
  const summaries: Record<string, Fixtures> = {
    pubmed: fixture("esummary-pubmed.json"),
    pmc: fixture("esummary-pmc.json"),
  };
  let down = false;
  const retracted = new Set<string>();
  const state: ReferenceApis = {
    url: "",
    requests: { crossref: 0, esummary: 0 },
    lastEsummary: null,
    lastCrossrefUserAgent: null,
    retract: (doi) => {
      retracted.add(doi.toLowerCase());
    },
    setDown: (value) => {
      down = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      if (url.pathname.startsWith("/works/")) {
        state.requests.crossref += 1;
        state.lastCrossrefUserAgent = req.headers["user-agent"] ?? null;
        if (down) return res.writeHead(503).end("Service Unavailable");
        const doi = decodeURIComponent(url.pathname.slice("/works/".length)).toLowerCase();
        const message =
          works[doi] ??
          (doi.startsWith("10.5555/generated-")
            ? {
                DOI: doi,
                type: "journal-article",
                title: [`Generated fixture work ${doi.slice("10.5555/generated-".length)}`],
                "container-title": ["Journal of Fixture Studies"],
                issued: { "date-parts": [[2024, 1]] },
                prefix: "10.5555",
                member: "7822",
                publisher: "Crossref test prefix",
                ...(retracted.has(doi)
                  ? {
                      "updated-by": [
                        {
                          updated: { "date-parts": [[2026, 1, 5]], "date-time": "2026-01-05T00:00:00Z" },
                          DOI: `10.5555/retraction-of-${doi.slice("10.5555/".length)}`,
                          type: "retraction",
                          source: "publisher",
                          label: "Retraction",
                        },
                      ],
                    }
                  : {}),
              }
            : undefined);
        if (!message) return res.writeHead(404, { "content-type": "text/plain" }).end("Resource not found.");
        return json(res, 200, { status: "ok", "message-type": "work", "message-version": "1.0.0", message });
      }
      if (url.pathname === "/entrez/eutils/esummary.fcgi") {
        state.requests.esummary += 1;
        if (down) return res.writeHead(503).end("Service Unavailable");
        const form = await formOf(req, url);
        state.lastEsummary = form;
        const db = form.get("db") ?? "";
        const docs = summaries[db];
        if (!docs) return json(res, 200, { error: "Invalid db name specified: " + db });
        if (!form.get("tool")) return json(res, 200, { error: "tool parameter is required" });
        const uids = (form.get("id") ?? "").split(",").filter(Boolean);
        const result: Record<string, unknown> = { uids };
        for (const uid of uids) result[uid] = docs[uid] ?? { uid, error: "cannot get document summary" };
        return json(res, 200, { header: { type: "esummary", version: "0.3" }, result });
      }
      res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  state.url = `http://${opts.host ?? "127.0.0.1"}:${address.port}`;
  return state;
}
