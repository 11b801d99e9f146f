import { connect } from "node:net";

/**
 * TCP probe: resolves true once something accepts a connection on host:port, false on refusal, error or
 * timeout. Harnesses call it before starting a suite so a missing PostgreSQL or Redis fails fast and clearly
 * instead of as a driver timeout deep inside a test.
 */
export function isReachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const finish = (reachable: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reachable);
    };
    const timer = setTimeout(() => finish(false), Math.max(1, timeoutMs));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** Polls isReachable until it answers true or the deadline passes; every wait is bounded. */
export async function waitUntilReachable(
  host: string,
  port: number,
  deadlineMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await isReachable(host, port, Math.min(1_000, Math.max(1, deadline - Date.now())))) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
