import type { PrivacyRequest } from "../../../schema";
import type { Transaction } from "../../lib/db";
import type { AuditTarget, Scope } from "../../scope";
import type { SubjectData } from "./subjects";

/** What every right's fulfilment gets: the open request, locked, and what is held about its subject. */
export interface FulfilContext {
  scope: Scope;
  tx: Transaction;
  request: PrivacyRequest;
  data: SubjectData;
  now: Date;
  /** Audits an event of this fulfilment; its details name the request. */
  audit(action: string, target: AuditTarget, details: Record<string, unknown>): Promise<unknown>;
}

export interface Fulfilment {
  /** What was done, stored on the request. */
  outcome: Record<string, unknown>;
  /** Defaults to "fulfilled". */
  status?: PrivacyRequest["status"];
  /** Access and portability: the data, as JSON and as a FHIR R4 Bundle. */
  export?: { json: Record<string, unknown>; fhir: Record<string, unknown> };
}

/** Fulfils one right of LGPD art. 18 inside the request's transaction. */
export type Fulfil = (context: FulfilContext) => Promise<Fulfilment>;
