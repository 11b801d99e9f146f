import { neon } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { describe, expect, it } from "vitest";
import type { Scope } from "../../functions/scope";
import { getWpTerm, listWpContent, listWpTerms, type WpCollectionQuery } from "../../functions/services/wordpress";

/**
 * The WordPress reads send statements whose text depends on the request's form (its filters, its order, the
 * reader's levels) and never on its values: the values travel as parameters, so each form's statement is built
 * once per isolate and only bound afterwards. Checked on the statements a read hands to `scope.read`, which here
 * sends nothing and answers empty results.
 */
type Sent = { sql: string; params: unknown[] };

function recordingScope(): { scope: Scope; sent: Sent[][] } {
  const sent: Sent[][] = [];
  // A client that is never called: the statements are only prepared, to read their text and parameters.
  const db = drizzle({ client: neon("postgresql://reader:secret@127.0.0.1:1/none") });
  const scope = {
    actor: { kind: "anonymous" },
    tenant: { id: "00000000-0000-4000-8000-000000000001" },
    read: async (build: (db: unknown) => readonly { _prepare(): { getQuery(): Sent } }[]) => {
      const statements = build(db);
      sent.push(statements.map((statement) => statement._prepare().getQuery()));
      // No rows, read either way: as a query's rows, or as a raw statement's `rows` (the item statements).
      return statements.map((_, i) => (i === 0 ? [{ total: 0 }] : Object.assign([], { rows: [] })));
    },
  } as unknown as Scope;
  return { scope, sent };
}

const base: WpCollectionQuery = { page: 1, perPage: 10, orderby: "date", order: "desc", embed: false };
const origin = "https://clinica.example";

/**
 * Sends `read` for two forms with the same filters and other values: the statements' text must be the same and
 * their parameters differ. Answers the first read's statements, joined, for further checks.
 */
async function sameTextOtherParams(
  first: Partial<WpCollectionQuery>,
  second: Partial<WpCollectionQuery>,
  read: (scope: Scope, form: Partial<WpCollectionQuery>) => Promise<unknown>,
): Promise<string> {
  const { scope, sent } = recordingScope();
  await read(scope, first);
  await read(scope, second);
  const [a, b] = sent;
  expect(
    a!.map((s) => s.sql),
    JSON.stringify(first),
  ).toEqual(b!.map((s) => s.sql));
  expect(a!.map((s) => s.params)).not.toEqual(b!.map((s) => s.params));
  return a!.map((s) => s.sql).join(";");
}

describe("the WordPress reads' statements", () => {
  it("are the same text for every value of a filtered list, with the values as parameters", async () => {
    const forms: [Partial<WpCollectionQuery>, Partial<WpCollectionQuery>][] = [
      [
        { include: [11, 12, 13], orderby: "include" },
        { include: [99], orderby: "include" },
      ],
      [{ slug: ["a", "b"] }, { slug: ["c"] }],
      [{ author: [1] }, { author: [2, 3, 4] }],
      [
        { categories: [5], tags: [6, 7] },
        { categories: [8, 9], tags: [10] },
      ],
      [
        { search: "pressão", orderby: "relevance" },
        { search: "sono or diabetes", orderby: "relevance" },
      ],
      [
        { after: new Date("2026-01-01T00:00:00Z"), before: new Date("2026-02-01T00:00:00Z"), page: 2 },
        { after: new Date("2025-06-01T00:00:00Z"), before: new Date("2025-07-01T00:00:00Z"), page: 7 },
      ],
    ];
    for (const [first, second] of forms) {
      const sqlText = await sameTextOtherParams(first, second, (scope, form) =>
        listWpContent(scope, { type: "post", origin, query: { ...base, ...form } }),
      );
      expect(sqlText).not.toMatch(/ARRAY\[|pressão|2026-01-01/);
    }
  });

  it("are the same text for every value of a terms list and of one term", async () => {
    const forms: [Partial<WpCollectionQuery>, Partial<WpCollectionQuery>][] = [
      [
        { include: [1, 2], orderby: "include" },
        { include: [3], orderby: "include" },
      ],
      [
        { slug: ["saude"], parent: 40 },
        { slug: ["a", "b", "c"], parent: 41 },
      ],
      [
        { post: 7, hideEmpty: true, search: "cora" },
        { post: 8, hideEmpty: true, search: "saude" },
      ],
    ];
    for (const [first, second] of forms) {
      await sameTextOtherParams(first, second, (scope, form) =>
        listWpTerms(scope, { taxonomy: "category", origin, query: { ...base, orderby: "name", ...form } }),
      );
    }
    const { scope, sent } = recordingScope();
    await getWpTerm(scope, { taxonomy: "post_tag", wpId: 401, origin });
    await getWpTerm(scope, { taxonomy: "post_tag", wpId: 402, origin });
    expect(sent[0]![0]!.sql).toBe(sent[1]![0]!.sql);
    expect(sent[0]![0]!.params).toContain(401);
  });
});
