import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IncrementalSha256, sha256OfStream } from "../../functions/services/sha256-incremental.js";

const reference = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

describe("incremental SHA-256", () => {
  it("matches the FIPS 180-4 examples", () => {
    expect(new IncrementalSha256().update(new TextEncoder().encode("abc")).digestHex()).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(new IncrementalSha256().digestHex()).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("gives node:crypto's digest however the input is split", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat(700), { maxLength: 6 }), (data, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
        const hash = new IncrementalSha256();
        let start = 0;
        for (const point of [...points, data.length]) {
          hash.update(data.subarray(start, point));
          start = point;
        }
        expect(hash.digestHex()).toBe(reference(data));
      }),
    );
  });

  it("hashes a stream of a few megabytes", async () => {
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < data.length; i += 65_521) controller.enqueue(data.subarray(i, i + 65_521));
        controller.close();
      },
    });
    expect(await sha256OfStream(stream)).toEqual({ sha256: reference(data), bytes: data.length });
  });
});
