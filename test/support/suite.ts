/**
 * What an integration file starts with: the Worker in workerd, a superuser client, one seeded tenant, and a
 * Redis client (connected at first use) for files that read or preset trust counters.
 */
import { Redis } from "ioredis";
import type pg from "pg";
import { adminClient, type SeededTenant, seedTenant } from "./db.js";
import { startWorker, type TestWorker } from "./worker.js";

export interface Suite {
  worker: TestWorker;
  admin: pg.Client;
  tenant: SeededTenant;
  redis: Redis;
}

export async function startSuite(slug: string): Promise<Suite> {
  const worker = await startWorker();
  const admin = await adminClient();
  const redis = new Redis(worker.env.redisUrl, { lazyConnect: true });
  return { worker, admin, redis, tenant: await seedTenant(admin, slug) };
}

/** Stops what `startSuite` started; safe when it failed half-way. */
export async function stopSuite(suite: Partial<Suite>): Promise<void> {
  suite.redis?.disconnect();
  await suite.admin?.end();
  await suite.worker?.dispose();
}
