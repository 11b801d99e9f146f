// Minimal typing for the parts of @20minutes/s3rver 4.0.4 (CommonJS, no bundled types) that the local S3 uses.
declare module "@20minutes/s3rver" {
  import type { IncomingHttpHeaders, IncomingMessage, Server } from "node:http";
  import type { AddressInfo } from "node:net";

  interface S3rverBucketConfig {
    name: string;
    configs?: Array<string | Buffer>;
  }

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: S3rverBucketConfig[];
  }

  export interface S3rverStoredObject {
    key: string;
    lastModifiedDate: Date;
  }

  /** lib/stores/filesystem.js, the parts the Object Lock layer calls. */
  export interface S3rverStore {
    existsObject(bucket: string, key: string): Promise<boolean>;
    deleteObject(bucket: string, key: string): Promise<void>;
    listObjects(
      bucket: string,
      options: { prefix?: string; maxKeys?: number },
    ): Promise<{ objects: S3rverStoredObject[]; isTruncated: boolean }>;
  }

  /** The Koa context s3rver's middleware sees. */
  export interface S3rverContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    headers: IncomingHttpHeaders;
    req: IncomingMessage;
    params: Record<string, string>;
    status: number;
    type: string;
    body: unknown;
    store: S3rverStore;
    set(name: string, value: string): void;
  }

  export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

  /** lib/models/error.js: rendered as S3's XML error by s3rver's error handler. */
  export type S3rverErrorClass = new (
    code: string,
    message: string,
    detail?: Record<string, string>,
  ) => Error & {
    status: number;
  };

  class S3rver {
    constructor(options?: S3rverOptions);
    httpServer?: Server;
    store: S3rverStore;
    /** Koa's middleware list; composed when the server starts listening. */
    middleware: S3rverMiddleware[];
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }

  export default S3rver;
}
