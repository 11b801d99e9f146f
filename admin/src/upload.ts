/**
 * Browser-side uploads straight to S3 presigned URLs:
 *   1. SHA-256 of the file computed here (WebCrypto), sent with the request for a ticket;
 *   2. `POST /api/uploads` → one presigned PUT, or presigned part URLs (multipart, 8 MiB parts), each signed
 *      for an exact length: the whole file's `size` as declared here, or that part's share of it;
 *   3. PUTs with XMLHttpRequest (real upload progress events), each part retried with backoff; the browser
 *      sends the Blob's own Content-Length, so the file or slice must be exactly what was declared;
 *   4. `POST /api/uploads/{id}/complete` (with the parts' ETags) → the Worker verifies size, SHA-256 and
 *      the DICOM header and answers the media item (metadata and PHI flags); or `/abort` on cancel.
 */
import { ApiError, request } from "./api";
import type { MediaItem, UploadKind, UploadTicket } from "./types";

export const KIND_TYPES: Readonly<Record<UploadKind, readonly string[]>> = {
  dicom: ["application/dicom"],
  image: ["image/png", "image/jpeg", "image/gif", "image/webp"],
  document: ["application/pdf"],
};

/** The kind and content type a file is uploaded as (DICOM files often have no type or .dcm only). */
export function classify(file: { name: string; type: string }): { kind: UploadKind; contentType: string } | null {
  const type = file.type.toLowerCase();
  if (type === "application/dicom" || /\.dcm$/i.test(file.name) || (type === "" && !/\.[a-z0-9]+$/i.test(file.name))) {
    return { kind: "dicom", contentType: "application/dicom" };
  }
  if (KIND_TYPES.image.includes(type)) return { kind: "image", contentType: type };
  if (type === "application/pdf" || /\.pdf$/i.test(file.name))
    return { kind: "document", contentType: "application/pdf" };
  return null;
}

export function toHex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(file: Blob): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
}

export interface PartPlan {
  partNumber: number;
  start: number;
  end: number;
  url: string;
}

/** Byte ranges of each presigned part (partSize bytes each, the last one shorter). */
export function planParts(
  size: number,
  partSize: number,
  parts: ReadonlyArray<{ partNumber: number; url: string }>,
): PartPlan[] {
  return [...parts]
    .sort((a, b) => a.partNumber - b.partNumber)
    .map((part) => ({
      partNumber: part.partNumber,
      start: (part.partNumber - 1) * partSize,
      end: Math.min(size, part.partNumber * partSize),
      url: part.url,
    }))
    .filter((part) => part.start < part.end);
}

/** Delays before each retry: 0.5 s, 1 s, 2 s … (a failed part is tried `attempts` times in all). */
export function retryDelays(attempts: number, baseMs = 500): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => baseMs * 2 ** i);
}

export class UploadCancelled extends Error {
  constructor() {
    super("cancelled");
    this.name = "UploadCancelled";
  }
}

/** One PUT with progress; resolves with the ETag S3 answered (needed to complete a multipart upload). */
export function putWithProgress(
  url: string,
  body: Blob,
  headers: Record<string, string>,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(xhr.getResponseHeader("ETag"));
      } else reject(new Error(`PUT answered ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error("network error"));
    xhr.onabort = () => reject(new UploadCancelled());
    const abort = () => xhr.abort();
    if (signal.aborted) return reject(new UploadCancelled());
    signal.addEventListener("abort", abort, { once: true });
    xhr.send(body);
  });
}

export type UploadPhase = "hashing" | "authorising" | "uploading" | "verifying" | "done" | "failed" | "cancelled";

export interface UploadProgress {
  phase: UploadPhase;
  loaded: number;
  total: number;
  /** Parts retried so far (shown so the user knows the connection is flaky). */
  retries: number;
}

export interface UploadOptions {
  file: File;
  kind: UploadKind;
  contentType: string;
  subjectId?: string;
  attempts?: number;
  onProgress: (progress: UploadProgress) => void;
  signal: AbortSignal;
  /** For tests: replaces the PUT (default: XMLHttpRequest). */
  put?: typeof putWithProgress;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function uploadFile(options: UploadOptions): Promise<MediaItem> {
  const { file, signal } = options;
  const put = options.put ?? putWithProgress;
  const sleep = options.sleep ?? wait;
  const state: UploadProgress = { phase: "hashing", loaded: 0, total: file.size, retries: 0 };
  const report = (patch: Partial<UploadProgress>) => options.onProgress(Object.assign(state, patch));
  report({});
  const sha256 = await sha256Hex(file);
  if (signal.aborted) throw new UploadCancelled();
  report({ phase: "authorising" });
  const ticket = (
    await request<UploadTicket>("POST", "/api/uploads", {
      body: {
        filename: file.name,
        size: file.size,
        contentType: options.contentType,
        sha256,
        kind: options.kind,
        ...(options.subjectId ? { subjectId: options.subjectId } : {}),
      },
    })
  ).data;
  try {
    report({ phase: "uploading" });
    const attempts = options.attempts ?? 4;
    const partLoaded = new Map<number, number>();
    const update = () => report({ loaded: [...partLoaded.values()].reduce((a, b) => a + b, 0) });
    const sendPart = async (partNumber: number, url: string, body: Blob, headers: Record<string, string>) => {
      const delays = retryDelays(attempts);
      for (let attempt = 0; ; attempt++) {
        try {
          return await put(
            url,
            body,
            headers,
            (loaded) => {
              partLoaded.set(partNumber, loaded);
              update();
            },
            signal,
          );
        } catch (error) {
          if (error instanceof UploadCancelled || signal.aborted) throw new UploadCancelled();
          if (attempt >= delays.length)
            throw new ApiError({ status: 0, code: "upload_part_failed", detail: String(error) });
          partLoaded.set(partNumber, 0);
          update();
          report({ retries: state.retries + 1 });
          await sleep(delays[attempt]!);
        }
      }
    };
    let completeBody: unknown = undefined;
    if (ticket.method === "single") {
      await sendPart(1, ticket.url!, file, ticket.headers ?? { "content-type": options.contentType });
    } else {
      const plan = planParts(file.size, ticket.partSize!, ticket.parts ?? []);
      const etags: Array<{ partNumber: number; etag: string }> = [];
      // Two parts in flight: enough to fill a connection without starving the rest of the page.
      let next = 0;
      const worker = async () => {
        while (next < plan.length) {
          const part = plan[next++]!;
          const etag = await sendPart(part.partNumber, part.url, file.slice(part.start, part.end), {});
          etags.push({ partNumber: part.partNumber, etag: etag ?? "" });
        }
      };
      await Promise.all([worker(), worker()]);
      completeBody = { parts: etags.sort((a, b) => a.partNumber - b.partNumber) };
    }
    report({ phase: "verifying", loaded: file.size });
    const media = (
      await request<MediaItem>(
        "POST",
        `/api/uploads/${ticket.id}/complete`,
        completeBody === undefined ? {} : { body: completeBody },
      )
    ).data;
    report({ phase: "done" });
    return media;
  } catch (error) {
    if (error instanceof UploadCancelled || signal.aborted) {
      await request("POST", `/api/uploads/${ticket.id}/abort`).catch(() => undefined);
      report({ phase: "cancelled" });
      throw new UploadCancelled();
    }
    report({ phase: "failed" });
    throw error;
  }
}
