import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  classify,
  planParts,
  retryDelays,
  UploadCancelled,
  uploadFile,
  type UploadProgress,
} from "../../admin/src/upload";

describe("admin uploader: planning", () => {
  it("classifies DICOM, images and PDFs, and refuses the rest", () => {
    expect(classify({ name: "estudo.dcm", type: "" })).toEqual({ kind: "dicom", contentType: "application/dicom" });
    expect(classify({ name: "IM000001", type: "" })).toEqual({ kind: "dicom", contentType: "application/dicom" });
    expect(classify({ name: "capa.png", type: "image/png" })).toEqual({ kind: "image", contentType: "image/png" });
    expect(classify({ name: "laudo.pdf", type: "application/pdf" })).toEqual({
      kind: "document",
      contentType: "application/pdf",
    });
    expect(classify({ name: "notes.txt", type: "text/plain" })).toBeNull();
  });

  it("cuts byte ranges per presigned part, in part order, the last one shorter", () => {
    const parts = [3, 1, 2].map((n) => ({ partNumber: n, url: `u${n}` }));
    expect(planParts(20, 8, parts)).toEqual([
      { partNumber: 1, start: 0, end: 8, url: "u1" },
      { partNumber: 2, start: 8, end: 16, url: "u2" },
      { partNumber: 3, start: 16, end: 20, url: "u3" },
    ]);
  });

  it("backs off exponentially between retries", () => {
    expect(retryDelays(4)).toEqual([500, 1000, 2000]);
    expect(retryDelays(1)).toEqual([]);
  });
});

describe("admin uploader: the upload itself (fetch and PUT stubbed)", () => {
  afterEach(() => vi.unstubAllGlobals());

  function stubApi(ticket: Record<string, unknown>) {
    const calls: Array<{ url: string; body: unknown }> = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ url, body });
      if (url === "/api/uploads") return new Response(JSON.stringify(ticket), { status: 201 });
      if (url.endsWith("/complete"))
        return new Response(JSON.stringify({ id: "m1", kind: "dicom", phiTags: ["PatientName"] }), { status: 201 });
      return new Response(null, { status: 204 });
    });
    return calls;
  }

  it("hashes, uploads parts (retrying a failed one), reports progress to 100 %, completes with ETags", async () => {
    const bytes = new Uint8Array(20).map((_, i) => i);
    const file = new File([bytes], "estudo.dcm", { type: "application/dicom" });
    const calls = stubApi({
      id: "u1",
      method: "multipart",
      partSize: 8,
      parts: [1, 2, 3].map((n) => ({ partNumber: n, url: `https://s3/p${n}` })),
    });
    let failures = 0;
    const put = vi.fn(
      async (url: string, body: Blob, _headers: Record<string, string>, onProgress: (n: number) => void) => {
        if (url.endsWith("p2") && failures === 0) {
          failures++;
          onProgress(body.size / 2);
          throw new Error("network error");
        }
        onProgress(body.size);
        return `"etag-${url.slice(-1)}"`;
      },
    );
    const seen: UploadProgress[] = [];
    const media = await uploadFile({
      file,
      kind: "dicom",
      contentType: "application/dicom",
      signal: new AbortController().signal,
      onProgress: (p) => seen.push({ ...p }),
      put,
      sleep: async () => undefined,
    });
    expect(media).toMatchObject({ id: "m1" });
    expect(calls[0]!.body).toMatchObject({
      size: 20,
      kind: "dicom",
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    expect(put).toHaveBeenCalledTimes(4);
    // Each part URL is signed for its exact length: 8 + 8 + the 4-byte remainder (part 2 sent twice).
    const sizes = new Map(put.mock.calls.map(([url, body]) => [url, body.size]));
    expect(Object.fromEntries(sizes)).toEqual({ "https://s3/p1": 8, "https://s3/p2": 8, "https://s3/p3": 4 });
    expect(calls.at(-1)!.body).toEqual({ parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: `"etag-${n}"` })) });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ phase: "done", loaded: 20, total: 20, retries: 1 });
    expect(seen.map((p) => p.phase)).toEqual(
      expect.arrayContaining(["hashing", "authorising", "uploading", "verifying", "done"]),
    );
  });

  it("gives up on a part after the last attempt with upload_part_failed", async () => {
    stubApi({ id: "u2", method: "single", url: "https://s3/one", headers: { "content-type": "image/png" } });
    const file = new File([new Uint8Array(4)], "capa.png", { type: "image/png" });
    const attempt = uploadFile({
      file,
      kind: "image",
      contentType: "image/png",
      signal: new AbortController().signal,
      onProgress: () => undefined,
      attempts: 2,
      put: async () => {
        throw new Error("down");
      },
      sleep: async () => undefined,
    });
    await expect(attempt).rejects.toMatchObject({ problem: { code: "upload_part_failed" } });
  });

  it("cancels: aborts the PUT and the upload on the server", async () => {
    const calls = stubApi({ id: "u3", method: "single", url: "https://s3/one" });
    const controller = new AbortController();
    const file = new File([new Uint8Array(4)], "capa.png", { type: "image/png" });
    const attempt = uploadFile({
      file,
      kind: "image",
      contentType: "image/png",
      signal: controller.signal,
      onProgress: () => undefined,
      put: () => {
        controller.abort();
        return Promise.reject(new UploadCancelled());
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(UploadCancelled);
    expect(calls.map((c) => c.url)).toContain("/api/uploads/u3/abort");
  });
});
