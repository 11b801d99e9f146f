import { OUTBOUND_ENDPOINTS } from "../env";
import type { ContentLocale } from "../contract";
import {
  DATA_CATEGORIES,
  DATA_SUBJECTS,
  type DataCategory,
  PROCESSING_ACTIVITIES,
  RECIPIENTS,
  type RecipientId,
  SECURITY_MEASURES,
} from "../processing-register";
import { retentionPolicies } from "../../schema/retention-policies";
import { hasRole } from "../lib/actor";
import { ForbiddenError } from "../lib/errors";
import { requireUser, type Scope } from "../scope";
import type { ProcessingRegister } from "../shapes/processing-register";
import type { TenantSettings } from "../shapes/tenant-settings";
import { readTenantSettings } from "./tenant-settings";

type Controller = ProcessingRegister["controller"];

function categories(ids: readonly DataCategory[], locale: ContentLocale) {
  return ids.map((id) => ({ id, label: DATA_CATEGORIES[id][locale] }));
}

/** Which configuration variables point the Worker at each recipient (functions/env.ts `OUTBOUND_ENDPOINTS`). */
function configuredBy(recipient: RecipientId): string[] {
  return Object.entries(OUTBOUND_ENDPOINTS)
    .filter(([, recipients]) => (recipients as readonly RecipientId[]).includes(recipient))
    .map(([variable]) => variable);
}

/**
 * The record of processing operations (LGPD Art. 37) in one locale, built from the register table
 * (functions/processing-register.ts), the retention table and the controller's settings. Pure: the caller reads
 * the settings.
 */
export function buildProcessingRegister(
  controller: Controller,
  locale: ContentLocale,
  now = new Date(),
): ProcessingRegister {
  const recipients = (Object.keys(RECIPIENTS) as RecipientId[]).map((id) => {
    const recipient = RECIPIENTS[id];
    return {
      id,
      name: recipient.name,
      role: recipient.role,
      service: recipient.service[locale],
      location: recipient.location,
      internationalTransfer: recipient.internationalTransfer,
      transferSafeguard: recipient.transferSafeguard?.[locale] ?? null,
      dataCategories: categories(recipient.dataCategories, locale),
      configuredBy: configuredBy(id),
    };
  });
  return {
    generatedAt: now.toISOString(),
    locale,
    controller,
    activities: Object.entries(PROCESSING_ACTIVITIES).map(([id, activity]) => ({
      id,
      title: activity.title[locale],
      purpose: activity.purpose[locale],
      legalBases: [...activity.legalBases],
      dataSubjects: activity.dataSubjects.map((subject) => ({ id: subject, label: DATA_SUBJECTS[subject][locale] })),
      dataCategories: categories(activity.dataCategories, locale),
      retention: activity.retentionClasses.map((retentionClass) => {
        const policy = retentionPolicies[retentionClass];
        return {
          retentionClass,
          minAgeDays: policy.minAgeDays,
          maxAgeDays: policy.maxAgeDays,
          measuredFrom: policy.measuredFrom,
          legalBasis: policy.legalBasis,
          action: policy.action,
        };
      }),
      retentionNote: activity.retentionNote?.[locale] ?? null,
      recipients: [...activity.recipients],
    })),
    recipients,
    internationalTransfers: recipients
      .filter((recipient) => recipient.internationalTransfer)
      .map((recipient) => ({
        recipient: recipient.id,
        name: recipient.name,
        location: recipient.location,
        safeguard: recipient.transferSafeguard ?? "",
      })),
    securityMeasures: SECURITY_MEASURES.map((measure) => measure[locale]),
  };
}

/** The controller's details as the register and the privacy page name them. */
export function controllerOf(settings: TenantSettings): Controller {
  return {
    name: settings.name,
    primaryHostname: settings.primaryHostname,
    hostnames: settings.hostnames,
    technicalDirector: settings.technicalDirector,
    dpo: settings.dpo,
  };
}

/**
 * The register for this tenant's compliance officers and admins. Reading it is audited
 * (`compliance.register_read`): it is what an auditor or the ANPD asks for, and who produced it when matters.
 */
export async function getProcessingRegister(scope: Scope, locale: ContentLocale): Promise<ProcessingRegister> {
  const user = requireUser(scope);
  if (!hasRole(user, "compliance_officer", "admin")) throw new ForbiddenError();
  return scope.transaction(async (tx) => {
    const settings = await readTenantSettings(tx, scope.tenant.id);
    await scope.audit(tx, "compliance.register_read", { type: "tenant", id: scope.tenant.id }, { locale });
    return buildProcessingRegister(controllerOf(settings), locale);
  });
}
