/**
 * The compliance gate analyses a revision by itself when it enters review and on every save there, after the
 * response (waitUntil). Tests wait for it the way the editor does: by asking until it is no longer `pending`.
 */
export interface StoredAnalysis {
  revisionId: string;
  status: "analysed" | "pending" | "missing";
  blocking: boolean;
  stages: Array<{ stage: string; blocking: boolean; output: { findings: Array<{ code: string; severity: string }> } }>;
}

/** Reads `GET …/analysis` until the current revision's analysis is stored; fails after a bounded number of tries. */
export async function settledAnalysis(read: () => Promise<Response>, attempts = 150): Promise<StoredAnalysis> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const res = await read();
    if (res.status !== 200) throw new Error(`analysis read failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as StoredAnalysis;
    if (body.status !== "pending") return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the automatic analysis did not finish");
}

/** Every finding code of a stored analysis, with the severity given (all when omitted). */
export function findingCodes(analysis: StoredAnalysis, severity?: string): string[] {
  return analysis.stages.flatMap((stage) =>
    stage.output.findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.code),
  );
}
