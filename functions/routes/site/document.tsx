/** @jsxImportSource hono/jsx */
import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import type { Layout, LayoutProps } from "../../site/layout";

export type SiteContext = Context<AppBindings>;

export const HTML = "text/html; charset=utf-8";

/**
 * What every page's frame names: the site, its technical director (CFM 2.336/2023) from the tenant settings and,
 * for a reader signed in on the site, the sign-out form with their CSRF token (such pages are never shared).
 */
export function siteOf(c: SiteContext): Pick<LayoutProps, "siteName" | "technicalDirector" | "signedIn"> {
  const { tenant } = c.get("scope");
  const session = c.get("siteSession");
  return {
    siteName: tenant.name,
    technicalDirector: tenant.technicalDirector ?? null,
    ...(session ? { signedIn: { csrf: session.csrf } } : {}),
  };
}

export async function htmlDocument(element: ReturnType<typeof Layout>): Promise<string> {
  return `<!doctype html>${await (element as { toString(): string | Promise<string> }).toString()}`;
}
