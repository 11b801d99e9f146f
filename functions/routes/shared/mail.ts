/** What the e-mails a route queues need from its request; route folders never import each other. */
import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import type { ContentLocale } from "../../contract";
import { localeOfSegment, negotiateSegment } from "../../site/i18n";

/**
 * The site a message's link opens (the request's own origin: the tenant's hostname the person already uses) and
 * the language of the message, from the browser's Accept-Language (RFC 9110 §12.5.4), Portuguese by default.
 */
export function mailContextOf(c: Context<AppBindings>): { origin: string; locale: ContentLocale } {
  return {
    origin: new URL(c.req.url).origin,
    locale: localeOfSegment(negotiateSegment(c.req.header("accept-language"))) ?? "pt-BR",
  };
}
