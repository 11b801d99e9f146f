import { and, eq, gt, isNull } from "drizzle-orm";
import { memberships, professionalCredentials, professionalRegistrations, users } from "../../../schema";
import type { Council } from "../../../schema/professional-credentials";
import type { ContentLocale } from "../../contract";
import { sha256Hex } from "../../lib/crypto";
import type { Transaction } from "../../lib/db";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import { GoneError } from "../../lib/errors";
import { assertAcceptablePassword } from "../../lib/password-policy";
import { hashPassword } from "../../lib/passwords";
import type { Scope } from "../../scope";
import { enqueueEmail } from "../outbox";
import { accountKeyOf } from "./lockout";
import type { MailContext } from "./password-change";
import { asUser } from "./sessions";
import { limiter, throttle } from "./throttle";

/** How long a confirmation link works: a day, single use. */
export const REGISTRATION_SECONDS = 24 * 3600;
/** Confirmation e-mails per address per window: enough for a lost message, too few to flood an inbox. */
const REGISTRATION_MAILS_PER_ADDRESS = 3;
/**
 * The version of the consent text the registration form shows (site/i18n.ts `registrationConsent`), stored with
 * each registration so the consent a person gave can be shown later (LGPD Art. 8 §2: the controller proves it).
 */
export const REGISTRATION_CONSENT_VERSION = "professional-registration-2026-12";

export interface RegistrationInput {
  name: string;
  email: string;
  password: string;
  council: Council;
  councilNumber: string;
  councilUf: string;
  /** The hash of the client's address, for the per-client throttle. */
  ipHash: string;
  /** Where the confirmation link points (the tenant's site) and the e-mail's language. */
  mail: MailContext & { siteLocale: ContentLocale };
}

/**
 * A health professional registers on the site. The answer and the work are the same whoever the address belongs
 * to: nothing tells a visitor whether an account exists (the tenant could not even see another tenant's). The
 * registration is stored with the password's hash and the confirmation token's hash, and the e-mail (the token
 * sealed) is queued in the same transaction; past three e-mails to an address in fifteen minutes nothing more is
 * queued and the answer stays the same. The account exists only once the address is confirmed.
 */
export async function registerProfessional(scope: Scope, input: RegistrationInput): Promise<void> {
  const email = input.email.trim().toLowerCase();
  await throttle(
    scope,
    [{ prefix: "register-ip", tokens: 5, window: "1 m", key: `${scope.tenant.id}:${input.ipHash}` }],
    "Too many registrations. Wait a minute and try again.",
  );
  // Refused before anything is stored, the same way for any address (NIST SP 800-63B §3.1.1.2).
  assertAcceptablePassword(input.password, { email });
  const byAddress = await limiter(scope, "register-address", REGISTRATION_MAILS_PER_ADDRESS, "15 m").limit(
    await accountKeyOf(scope.tenant.id, email),
  );
  const token = toBase64Url(randomBytes(32));
  const [tokenHash, passwordHash] = await Promise.all([sha256Hex(token), hashPassword(input.password)]);
  const expiresAt = new Date(Date.now() + REGISTRATION_SECONDS * 1000);
  await scope.transaction(async (tx) => {
    if (!byAddress.success) {
      await scope.audit(tx, "reader.registration_requested", null, { queued: false });
      return;
    }
    const [registration] = await tx
      .insert(professionalRegistrations)
      .values({
        tenantId: scope.tenant.id,
        email,
        displayName: input.name.trim(),
        passwordHash,
        council: input.council,
        councilNumber: input.councilNumber,
        councilUf: input.councilUf,
        consentVersion: REGISTRATION_CONSENT_VERSION,
        tokenHash,
        expiresAt,
      })
      .returning({ id: professionalRegistrations.id });
    const outboxId = await enqueueEmail(scope, tx, {
      to: email,
      locale: input.mail.locale,
      message: {
        template: "professional-confirmation",
        data: {
          tenantName: scope.tenant.name,
          origin: input.mail.origin,
          expiresAt: expiresAt.toISOString(),
          siteLocale: input.mail.siteLocale,
        },
        secret: token,
      },
    });
    await scope.audit(
      tx,
      "reader.registration_requested",
      { type: "professional_registration", id: registration!.id },
      { queued: true, outboxId, council: input.council, consentVersion: REGISTRATION_CONSENT_VERSION },
    );
  });
}

/** Spends a registration's token in the statement that finds it: unconfirmed, this tenant's, not expired. */
async function spendRegistration(tx: Transaction, scope: Scope, tokenHash: string, now: Date) {
  const [registration] = await tx
    .update(professionalRegistrations)
    .set({ confirmedAt: now })
    .where(
      and(
        eq(professionalRegistrations.tokenHash, tokenHash),
        eq(professionalRegistrations.tenantId, scope.tenant.id),
        isNull(professionalRegistrations.confirmedAt),
        gt(professionalRegistrations.expiresAt, now),
      ),
    )
    .returning();
  return registration ?? null;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const cause = ((error as { cause?: unknown }).cause ?? error) as { code?: string; constraint?: string };
  return cause.code === "23505" && cause.constraint === constraint;
}

/** What confirming led to: a new account waiting for its credential's review, or an address that had one. */
export type ConfirmationOutcome = "registered" | "account_exists";

const CONFIRMATION_INVALID = (): GoneError =>
  new GoneError("registration_token_invalid", "This link was used, has expired or is not valid. Register again.");

/**
 * Confirms a registration with the e-mailed token (single use, spent in the statement that finds it; a day). In one
 * transaction: the account with the password chosen at registration, a `reader_professional` membership and a
 * `pending` credential for the credential queue. An address that already has an account (here or in another
 * clinic) gets no second one: the registration is spent and the answer says to sign in, which tells nothing to
 * anyone but the address's owner, who just proved they read its mail.
 */
export async function confirmRegistration(
  scope: Scope,
  input: { token: string; ipHash: string },
): Promise<ConfirmationOutcome> {
  await throttle(
    scope,
    [{ prefix: "register-confirm-ip", tokens: 10, window: "1 m", key: `${scope.tenant.id}:${input.ipHash}` }],
    "Too many attempts. Wait a minute and try again.",
  );
  const tokenHash = await sha256Hex(input.token);
  const now = new Date();
  let outcome: ConfirmationOutcome | null;
  try {
    outcome = await scope.transaction(async (tx) => {
      const registration = await spendRegistration(tx, scope, tokenHash, now);
      if (!registration) return null;
      // No RETURNING: the row is checked against users_read before it has an xmin (design notes, "Data").
      const userId = crypto.randomUUID();
      await tx.insert(users).values({
        id: userId,
        email: registration.email,
        displayName: registration.displayName,
        passwordHash: registration.passwordHash,
      });
      await tx.insert(memberships).values({ tenantId: scope.tenant.id, userId, role: "reader_professional" });
      await tx.insert(professionalCredentials).values({
        tenantId: scope.tenant.id,
        userId,
        council: registration.council,
        crmNumber: registration.councilNumber,
        crmUf: registration.councilUf,
        status: "pending",
      });
      await scope.audit(
        tx,
        "reader.registered",
        { type: "user", id: userId },
        { registrationId: registration.id, council: registration.council, credential: "pending" },
        asUser(userId),
      );
      return "registered" as const;
    });
  } catch (error) {
    // Users are global and unique by address, and a tenant cannot see another tenant's: the refused insert is the
    // test. That transaction rolled back whole, so the registration is spent again here, on its own.
    if (!isUniqueViolation(error, "users_email_idx")) throw error;
    outcome = await scope.transaction(async (tx) => {
      const registration = await spendRegistration(tx, scope, tokenHash, now);
      if (!registration) return null;
      await scope.audit(
        tx,
        "reader.registration_confirmed",
        { type: "professional_registration", id: registration.id },
        { outcome: "account_exists" },
      );
      return "account_exists" as const;
    });
  }
  if (!outcome) throw CONFIRMATION_INVALID();
  return outcome;
}
