import type { Redis } from "@upstash/redis/cloudflare";
import type { AuthConfig } from "../../env";
import type { Database } from "../../lib/db";
import type { TenantContext } from "../../lib/actor";

/** What identity operations need from the request; handlers build it, services never see Hono. */
export interface IdentityDeps {
  db: Database;
  redis: Redis;
  auth: AuthConfig;
  tenant: TenantContext;
  requestId: string;
  /** A privacy-preserving hash of the client's IP address (never the address itself). */
  ipHash: string;
  /** A hash of the client's device characteristics, for the device-familiarity signal. */
  deviceHash: string;
}
