import { z } from "@hono/zod-openapi";

const failedChain = z.object({
  ok: z.literal(false),
  events: z.number().int(),
  brokenAt: z.number().int(),
  reason: z.enum(["hash_mismatch", "link_mismatch", "sequence_gap"]),
});

const verificationFields = {
  chain: z.union([z.object({ ok: z.literal(true), events: z.number().int(), head: z.string() }), failedChain]),
  checkpoints: z.object({
    checked: z.number().int(),
    ok: z.boolean(),
    failure: z
      .object({
        seq: z.number().int(),
        reason: z.enum(["key_not_pinned", "signature_invalid", "head_mismatch", "event_missing"]),
      })
      .nullable(),
  }),
  /**
   * The checkpoints against their anchored copies in the bucket (S3 Object Lock, compliance mode): absent from a
   * verdict stored before anchoring existed.
   */
  anchors: z
    .object({
      checked: z.number().int(),
      ok: z.boolean(),
      missing: z.array(z.number().int()),
      differs: z.array(z.number().int()),
      unrecorded: z.array(z.number().int()),
    })
    .optional(),
  ok: z.boolean(),
  /** What the job's run that computed this did: events recomputed, checkpoints verified, whether it reached the head. */
  run: z.object({
    eventsChecked: z.number().int(),
    eventsRechecked: z.number().int(),
    checkpointsChecked: z.number().int(),
    complete: z.boolean(),
    fromGenesis: z.boolean(),
  }),
};

export const auditVerificationSchema = z
  .union([
    z.object({ status: z.enum(["verified", "broken"]), computedAt: z.string(), ...verificationFields }),
    z.object({ status: z.literal("pending"), ok: z.literal(false), computedAt: z.null() }),
  ])
  .openapi("AuditVerification");

export const auditEventSchema = z
  .object({
    seq: z.number().int(),
    occurredAt: z.string(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEvent");

export const auditPageSchema = z
  .object({ events: z.array(auditEventSchema), nextCursor: z.number().int().nullable() })
  .openapi("AuditEventPage");

const signature = z.object({ signature: z.string(), publicKey: z.string(), fingerprint: z.string() });

export const auditCheckpointSchema = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    headHash: z.string(),
    /** The signed bytes: canonical JSON of type, tenantId, seq, headHash and signedAt. */
    payload: z.string(),
    signedAt: z.string(),
    ed25519: signature,
    mlDsa65: signature,
  })
  .openapi("AuditCheckpoint");

export const auditCheckpointListSchema = z
  .object({ checkpoints: z.array(auditCheckpointSchema) })
  .openapi("AuditCheckpointList");

export type AuditVerification = z.infer<typeof auditVerificationSchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;
