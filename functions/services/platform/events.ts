import type { DomainEvent } from "../../events";
import type { Scope } from "../../scope";

/**
 * Takes the committed events of the platform operator's tenant scopes. The operator's login may not claim outbox
 * rows (least privilege: it only queues them), so the mail it queued, a new tenant's first invitation, is sent by
 * the outbox job within its minute (jobs/deliver-mail.ts) rather than by the `mail.queued` effect. Returns any
 * other event: a change whose effect the platform cannot carry out, for the caller to report.
 */
export function takePlatformEvents(scopes: Scope[]): DomainEvent[] {
  return scopes.flatMap((scope) => scope.takeCommittedEvents()).filter((event) => event.type !== "mail.queued");
}
