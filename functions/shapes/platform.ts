import { z } from "@hono/zod-openapi";
import { CONTENT_LOCALES } from "../contract";

/**
 * The platform operator's inputs and answers (`/api/platform/*` and the `tenant:*` CLI validate with the same
 * schemas, so the two ways in accept exactly the same things). Hostnames are normalised (lower case, no
 * trailing dot) before they are checked, as the Worker normalises a request's host.
 */

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

export const hostnameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/\.$/, ""))
  .pipe(z.string().regex(HOSTNAME, "must be a DNS hostname (letters, digits, hyphens and dots; no port)"));

export const tenantSlugSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be 1 to 63 lower-case letters, digits or inner hyphens");

export const createTenantSchema = z
  .object({
    slug: tenantSlugSchema,
    name: z.string().trim().min(1).max(200),
    hostname: hostnameSchema,
    adminEmail: z.email().max(254),
    /** The language of the first admin's invitation e-mail. */
    locale: z.enum(CONTENT_LOCALES).default("pt-BR"),
    /** The site the invitation link opens; by default https://<hostname>. */
    origin: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
export type CreateTenantInput = z.output<typeof createTenantSchema>;

export const hostnameChangeSchema = z
  .object({ hostname: hostnameSchema, primary: z.boolean().default(false) })
  .strict();
export type HostnameChange = z.output<typeof hostnameChangeSchema>;

export const statusChangeSchema = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

export const userByEmailSchema = z
  .object({ email: z.email().max(254), reason: z.string().trim().min(3).max(500) })
  .strict();
export type UserByEmail = z.output<typeof userByEmailSchema>;

export interface TenantView {
  id: string;
  slug: string;
  name: string;
  status: "active" | "suspended";
  createdAt: string;
  hostnames: Array<{ hostname: string; primary: boolean }>;
}

export interface CreatedTenant {
  tenant: TenantView;
  /** The first admin's invitation; `link` carries its single-use token in the fragment and is shown only once. */
  invitation: { id: string; email: string; expiresAt: string; link: string };
}

export interface UserStatusChange {
  userId: string;
  email: string;
  status: "active" | "disabled";
  /** The tenants whose audit chains recorded the change (every tenant the person belongs to). */
  tenants: string[];
  sessionsRevoked: number;
}
