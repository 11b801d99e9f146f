import { describe, expect, it } from "vitest";
import { referenceKind } from "../../functions/services/references/index.js";
import { crossrefWork } from "../../functions/services/references/sources.js";

// How a Crossref `/works/{doi}` message reads (the relations as Crossref documents them), and which registry an
// identifier goes to. The requests themselves are tested in workerd (test/integration/references.test.ts).

const update = (type: string) => ({
  updated: { "date-parts": [[2010, 2, 6]] },
  DOI: "10.1016/s0140-6736(10)60175-4",
  type,
  source: "retraction-watch",
  label: type,
});

describe("a Crossref work", () => {
  it("is retracted by an updated-by retraction, withdrawal or removal, never by a correction", () => {
    const base = { title: ["A paper"], "container-title": ["The Lancet"], type: "journal-article" };
    expect(crossrefWork({ ...base, "updated-by": [update("correction")] })?.retracted).toBe(false);
    expect(crossrefWork({ ...base, "updated-by": [update("expression_of_concern")] })?.retracted).toBe(false);
    for (const type of ["retraction", "withdrawal", "removal"])
      expect(crossrefWork({ ...base, "updated-by": [update("correction"), update(type)] })?.retracted, type).toBe(true);
  });

  it("that is itself a retraction notice (update-to) is not a retracted paper", () => {
    expect(
      crossrefWork({ title: ["Retraction—…"], type: "journal-article", "update-to": [update("retraction")] }),
    ).toMatchObject({ found: true, retracted: false });
  });

  it("records title, journal, year and type", () => {
    expect(
      crossrefWork({
        title: ["  A Randomized   Trial "],
        "container-title": ["New England Journal of Medicine"],
        issued: { "date-parts": [[2015, 11, 26]] },
        type: "journal-article",
      }),
    ).toEqual({
      found: true,
      source: "crossref",
      retracted: false,
      title: "A Randomized Trial",
      journal: "New England Journal of Medicine",
      year: 2015,
      type: "journal-article",
    });
    expect(crossrefWork("not a message")).toBeNull();
  });
});

describe("which registry an identifier goes to", () => {
  it("sends DOIs (SciELO's too) to Crossref, PMIDs and PMCIDs to NCBI, and SciELO PIDs and list numbers nowhere", () => {
    expect(referenceKind("10.1016/S0140-6736(97)11096-0")).toBe("doi");
    expect(referenceKind("10.1590/S0034-89102008000100002")).toBe("doi");
    expect(referenceKind("9500320")).toBe("pmid");
    expect(referenceKind("PMC4689591")).toBe("pmcid");
    expect(referenceKind("S0034-89102008000100002")).toBeNull();
    expect(referenceKind("123456789")).toBeNull();
  });
});
