import { OpenAPIHono } from "@hono/zod-openapi";
import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";
import type { AppBindings } from "../bindings";
import type { z } from "@hono/zod-openapi";
import { ValidationError } from "./errors";
import { BoundedLru } from "./lru";

/** Paths whose matches an isolate remembers, and the bytes of their keys. */
const MATCH_MEMO_LIMITS = { maxEntries: 2_000, maxBytes: 512 * 1024 };

/**
 * Hono's default router (the fastest of RegExpRouter and TrieRouter that takes every route), with its matches
 * remembered per isolate by method and path. The app's routes overlap in ways RegExpRouter refuses (a page
 * slug beside fixed pages under each locale), so the trie router walks some 500 routes on every request:
 * about a tenth of a cached page's CPU. A match is a pure function of method and path, holds only handlers
 * and the path's parameters (plain data), and is only read by Hono, so a remembered one is the same answer.
 * Bounded, the oldest remembered path leaving first, so that many distinct paths cost nothing but misses. A hit
 * leaves the order alone (`peek`): a memo of pure answers needs no recency, and a hot path pushed out is simply
 * matched again once.
 */
export class MemoRouter<T> implements Router<T> {
  readonly name = "MemoRouter";
  private readonly router = new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] });
  private readonly matches = new BoundedLru<Result<T>>(MATCH_MEMO_LIMITS);

  add(method: string, path: string, handler: T): void {
    this.matches.clear();
    this.router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    const known = this.matches.peek(key, 0);
    if (known) return known;
    const result = this.router.match(method, path);
    this.matches.set(key, result, { bytes: key.length, expiresAt: Number.POSITIVE_INFINITY, now: 0 });
    return result;
  }

  /** Paths remembered now (for tests). */
  get remembered(): number {
    return this.matches.size;
  }
}

/** A 422 naming each failing field under its request part (`json.email`, `param.slug`), never its value. */
export function validationError(target: string, issues: readonly z.core.$ZodIssue[]): ValidationError {
  return new ValidationError(
    issues.map((issue) => ({ path: [target, ...issue.path.map(String)].join("."), message: issue.message })),
  );
}

/**
 * Every resource router is made here, so invalid input is answered the same way everywhere: a 422 problem
 * naming each failing field (the value itself is never echoed: it may be personal data).
 */
export function createRouter(): OpenAPIHono<AppBindings> {
  return new OpenAPIHono<AppBindings>({
    router: new MemoRouter(),
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error.issues);
    },
  });
}
