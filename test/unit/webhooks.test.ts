import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../functions/env.js";
import { checkEndpointUrl, isForbiddenAddress } from "../../functions/lib/outbound-address.js";
import { generateWebhookSecret, signWebhook } from "../../functions/lib/webhook-signature.js";
import { OUTBOX_MAX_ATTEMPTS } from "../../functions/services/mail/delivery.js";
import {
  WEBHOOK_RETRY_SCHEDULE_SECONDS,
  webhookRetryDelaySeconds,
} from "../../functions/services/webhooks/delivery.js";
import { contentEventOf } from "../../functions/services/webhooks/events.js";

describe("webhook signatures", () => {
  it("signs as Standard Webhooks verifies (the reference library), and a changed body fails", async () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({
      type: "content.published",
      timestamp: "2026-12-03T07:00:00.000Z",
      data: { id: "1" },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "webhook-id": "6f1c2a8e-0d7b-4d4e-9a57-0b2f1c9e7d11",
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signWebhook(secret, "6f1c2a8e-0d7b-4d4e-9a57-0b2f1c9e7d11", timestamp, body),
    };
    const receiver = new Webhook(secret);
    expect(receiver.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => receiver.verify(body.replace('"1"', '"2"'), headers)).toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe("webhook endpoint addresses (SSRF)", () => {
  const strict = { allowLoopbackHttp: false };
  const reason = (url: string, options = strict) => {
    const checked = checkEndpointUrl(url, options);
    return checked.ok ? "ok" : checked.reason;
  };

  it("takes https on a public address or name, on the default port, 443 or 8443", () => {
    expect(reason("https://hooks.partner.example/vitalis?x=1")).toBe("ok");
    expect(reason("https://hooks.partner.example:8443/in")).toBe("ok");
    expect(reason("https://203.0.113.10/in")).toBe("ok");
    expect(reason("https://[2001:4860:4860::8888]/in")).toBe("ok");
  });

  it("refuses plain http, credentials in the URL and other ports", () => {
    expect(reason("http://hooks.partner.example/")).toBe("not_https");
    expect(reason("ftp://hooks.partner.example/")).toBe("not_https");
    expect(reason("https://user:secret@hooks.partner.example/")).toBe("credentials");
    expect(reason("https://hooks.partner.example:8080/")).toBe("port");
    expect(reason("https://hooks.partner.example:22/")).toBe("port");
    expect(reason("not a url")).toBe("malformed");
  });

  it("refuses loopback, private, shared, link-local, metadata and mapped addresses, however they are spelled", () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://127.1/",
      "https://0x7f000001/",
      "https://2130706433/",
      "https://0.0.0.0/",
      "https://10.1.2.3/",
      "https://172.16.0.1/",
      "https://172.31.255.255/",
      "https://192.168.0.10/",
      "https://100.64.0.1/",
      "https://100.127.255.254/",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/",
      "https://[::]/",
      "https://[fe80::1]/",
      "https://[fc00::1]/",
      "https://[fd00:ec2::254]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:a9fe:a9fe]/",
      "https://[64:ff9b::a00:1]/",
    ]) {
      expect(reason(url), url).toBe("address");
    }
    expect(reason("https://172.32.0.1/")).toBe("ok");
    expect(reason("https://100.128.0.1/")).toBe("ok");
  });

  it("refuses names that only mean something inside a network", () => {
    for (const url of [
      "https://localhost/",
      "https://api.localhost/",
      "https://printer.local/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://intranet/",
      "https://router.home.arpa/",
    ]) {
      expect(reason(url), url).toBe("host_name");
    }
  });

  it("lets a loopback receiver take plain http only with the development allowance", () => {
    const local = { allowLoopbackHttp: true };
    expect(reason("http://127.0.0.1:4100/hooks", local)).toBe("ok");
    expect(reason("http://[::1]:4100/hooks", local)).toBe("ok");
    expect(reason("http://127.0.0.1:4100/hooks")).toBe("not_https");
    // The allowance is for loopback only: private networks stay refused.
    expect(reason("https://10.0.0.5/", local)).toBe("address");
    expect(reason("http://10.0.0.5:4100/", local)).toBe("not_https");
    expect(reason("http://localhost:4100/", local)).toBe("not_https");
  });

  it("judges resolved addresses the same way", () => {
    for (const address of ["10.0.0.1", "192.168.1.20", "169.254.169.254", "fd00:ec2::254", "::ffff:127.0.0.1", "::1"])
      expect(isForbiddenAddress(address), address).toBe(true);
    for (const address of ["203.0.113.10", "198.51.100.7", "2606:4700::6810:84e5"])
      expect(isForbiddenAddress(address), address).toBe(false);
    expect(isForbiddenAddress("not-an-address")).toBe(true);
  });
});

describe("webhook configuration", () => {
  it("allows loopback receivers only in development and tests, and needs an https resolver elsewhere", () => {
    const section = (env: Record<string, string>) => getConfig(env).webhooks;
    expect(section({ ENVIRONMENT: "test", WEBHOOK_ALLOW_LOOPBACK_HTTP: "true" })).toMatchObject({
      ok: true,
      value: { allowLoopbackHttp: true, dnsResolverUrl: "https://cloudflare-dns.com/dns-query" },
    });
    expect(section({ ENVIRONMENT: "production", WEBHOOK_ALLOW_LOOPBACK_HTTP: "true" })).toMatchObject({ ok: false });
    expect(section({ WEBHOOK_ALLOW_LOOPBACK_HTTP: "true" })).toMatchObject({ ok: false });
    expect(
      section({ ENVIRONMENT: "production", WEBHOOK_DNS_RESOLVER_URL: "http://10.0.0.53/dns-query" }),
    ).toMatchObject({ ok: false });
    expect(section({ ENVIRONMENT: "production" })).toMatchObject({ ok: true, value: { allowLoopbackHttp: false } });
  });
});

describe("which content event a change is", () => {
  it("names entering, leaving and changing on the public site, and nothing else", () => {
    expect(contentEventOf(false, true)).toBe("content.published");
    expect(contentEventOf(true, false)).toBe("content.unpublished");
    expect(contentEventOf(true, true)).toBe("content.updated");
    expect(contentEventOf(false, false)).toBeNull();
    expect(contentEventOf(undefined, true)).toBe("content.updated");
    expect(contentEventOf(undefined, false)).toBeNull();
  });
});

describe("webhook retry schedule", () => {
  it("retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (Standard Webhooks), then gives up", () => {
    const middle = () => 0.5;
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempts) => webhookRetryDelaySeconds(attempts, middle));
    expect(delays).toEqual([5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]);
    // One delay between each two of the outbox's attempts: the eighth failure is the last.
    expect(WEBHOOK_RETRY_SCHEDULE_SECONDS).toHaveLength(OUTBOX_MAX_ATTEMPTS - 1);
    // About a day from the first attempt to the last, unlike the mail's two hours.
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThan(24 * 3600);
    expect(total).toBeLessThan(30 * 3600);
  });

  it("moves each delay by up to 20 % either way, so deliveries that failed together spread out", () => {
    expect([1, 2, 3, 7].map((attempts) => webhookRetryDelaySeconds(attempts, () => 0))).toEqual([4, 240, 1440, 28_800]);
    expect([1, 2, 3, 7].map((attempts) => webhookRetryDelaySeconds(attempts, () => 0.999_999))).toEqual([
      6, 360, 2160, 43_200,
    ]);
    // Beyond the schedule (a redelivery's attempts start again at one) the last delay holds.
    expect(webhookRetryDelaySeconds(12, () => 0.5)).toBe(36_000);
  });
});
