/** The local stand-ins for Neon, Upstash, S3, an SMTP relay and the reference registries (Crossref, NCBI) that the test harness and `npm run dev` start. */
export { startNeonProxy, type NeonProxy, type NeonProxyOptions } from "./neon-proxy.js";
export { startNeonHttp, type NeonHttpEndpoint, type NeonHttpOptions } from "./neon-http.js";
export { startUpstashAdapter, type UpstashAdapter, type UpstashAdapterOptions } from "./upstash-adapter.js";
export { localLifecycleRules, startS3Server, type S3Server, type S3ServerOptions } from "./s3-server.js";
export { startMailCatcher, type MailCatcher, type MailCatcherOptions } from "./mail-catcher.js";
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from "./pglite.js";
export { startReferenceApis, type ReferenceApis, type ReferenceApisOptions } from "./reference-apis.js";
export { isReachable } from "./probe.js";
