import { toHex } from "./crypto";

/**
 * workerd's native streaming digest (`crypto.DigestStream`, a WritableStream that hashes what is written to
 * it). Spelled out here because this module is also type-checked against Node's and the DOM's `crypto`
 * (tests import the upload service), which have no DigestStream; only the Worker calls it.
 */
interface NativeDigestStream extends WritableStream<ArrayBuffer | ArrayBufferView> {
  readonly digest: Promise<ArrayBuffer>;
  readonly bytesWritten: number | bigint;
}
type DigestStreamConstructor = new (algorithm: "SHA-256") => NativeDigestStream;

/**
 * SHA-256 and length of a stream, hashed natively as it passes: an object of any size is hashed without being
 * held in memory (the isolate has 128 MB), and without the CPU cost of hashing in JavaScript.
 */
export async function sha256OfStream(stream: ReadableStream<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const { DigestStream } = crypto as unknown as { DigestStream: DigestStreamConstructor };
  const digest = new DigestStream("SHA-256");
  await stream.pipeTo(digest);
  return { sha256: toHex(await digest.digest), bytes: Number(digest.bytesWritten) };
}
