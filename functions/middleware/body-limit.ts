import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppBindings } from "../bindings";
import { PayloadTooLargeError } from "../lib/errors";

export const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * Refuses a request body larger than `maxSize` bytes with 413 `payload_too_large`, before any handler reads
 * it: by its Content-Length, or while counting a streamed body that declares none.
 */
export function limitBody(maxSize: number): MiddlewareHandler<AppBindings> {
  const limit = maxSize >= MiB ? `${maxSize / MiB} MiB` : `${maxSize / KiB} KiB`;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLargeError(`The request body is larger than ${limit}.`);
    },
  });
}
