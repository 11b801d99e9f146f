import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { isReachable } from "../../local-cloud/index.js";

describe("isReachable", () => {
  it("is true for a listening port and false once it closes", async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    expect(await isReachable("127.0.0.1", address.port)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isReachable("127.0.0.1", address.port, 500)).toBe(false);
  });

  it("sees the machine's PostgreSQL and Redis", async () => {
    expect(await isReachable("127.0.0.1", 5432)).toBe(true);
    expect(await isReachable("127.0.0.1", 6379)).toBe(true);
  });
});
