/** The local stand-ins for Neon, Upstash, S3, an SMTP relay, the reference registries (Crossref, NCBI) and a DNS-over-HTTPS resolver that the test harness and `npm run dev` start. */
export { startNeonProxy, type NeonProxy, type NeonProxyOptions } from "./neon-proxy.js";
export { startNeonHttp, type NeonHttpEndpoint, type NeonHttpOptions } from "./neon-http.js";
export { startUpstashAdapter, type UpstashAdapter, type UpstashAdapterOptions } from "./upstash-adapter.js";
export { localLifecycleRules, startS3Server, type S3Server, type S3ServerOptions } from "./s3-server.js";
export { startMailCatcher, type MailCatcher, type MailCatcherOptions } from "./mail-catcher.js";
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from "./pglite.js";
export { startCloudflareApi, type CloudflareApi, type PurgeCall } from "./cloudflare-api.js";
export { startReferenceApis, type ReferenceApis, type ReferenceApisOptions } from "./reference-apis.js";
export { startDnsOverHttps, type DnsOverHttps, type DnsRecords } from "./dns-over-https.js";
export { isReachable } from "./probe.js";
