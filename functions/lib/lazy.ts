/**
 * An object built on first use. Per-request clients that many requests never touch (S3 costs ~0.5 ms to
 * construct) are handed out as this proxy: any property read builds the real object once and forwards to it,
 * with methods bound to it, so callers use it exactly like the real thing.
 */
export function lazy<T extends object>(build: () => T): T {
  let real: T | undefined;
  const target = (): T => (real ??= build());
  return new Proxy({} as T, {
    get(_, property) {
      const value = Reflect.get(target(), property) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target()) : value;
    },
    set(_, property, value) {
      return Reflect.set(target(), property, value);
    },
    has(_, property) {
      return Reflect.has(target(), property);
    },
  });
}
