import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { deviceHashOf, ensureDeviceId, signInClientOf } from "../../lib/client";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { noteSignInAttempt } from "../../middleware/access-log";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  acceptedInvitationSchema,
  acceptInvitationInputSchema,
  invitationInputSchema,
  invitationSchema,
  memberPageSchema,
  memberQuerySchema,
  memberRolesInputSchema,
  memberSchema,
} from "../../shapes/members";
import {
  acceptInvitation,
  inviteMember,
  listOpenInvitations,
  revokeInvitation,
} from "../../services/identity/invitations";
import {
  changeMemberRoles,
  listMembers,
  removeMember,
  resumeMember,
  suspendMember,
} from "../../services/identity/members";
import { mailContextOf } from "../shared/mail";
import { answerSignIn, signInResponse } from "../shared/session";

const adminRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["admin"] };
const adminWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };
const memberParams = z.object({ userId: z.uuid() });
const invitationParams = z.object({ id: z.uuid() });

const listRoute = protectedRoute({
  method: "get",
  path: "/members",
  tags: ["Members"],
  summary: "The tenant's members, by name: filter by role and status, search by name or e-mail (admins).",
  protect: adminRead,
  request: { query: memberQuerySchema },
  responses: { 200: jsonResponse(memberPageSchema, "One page."), ...problemResponses(401, 403, 422) },
});

const rolesRoute = protectedRoute({
  method: "patch",
  path: "/members/{userId}",
  tags: ["Members"],
  summary:
    "Give a member exactly these roles; their tokens for this tenant end (audited). The last active admin cannot " +
    "be demoted (409 last_admin).",
  protect: adminWrite,
  request: { params: memberParams, body: jsonBody(memberRolesInputSchema) },
  responses: { 200: jsonResponse(memberSchema, "The member now."), ...problemResponses(401, 403, 404, 409, 422) },
});

const removeRoute = protectedRoute({
  method: "delete",
  path: "/members/{userId}",
  tags: ["Members"],
  summary:
    "Remove a member from this tenant; their content stays attributed to them, their sessions here end " +
    "(audited). The last active admin cannot be removed (409 last_admin).",
  protect: adminWrite,
  request: { params: memberParams },
  responses: { 204: { description: "Removed." }, ...problemResponses(401, 403, 404, 409) },
});

const suspendRoute = protectedRoute({
  method: "post",
  path: "/members/{userId}/suspend",
  tags: ["Members"],
  summary:
    "Suspend a member in this tenant: no sign-in here, their tokens for this tenant end at once; their other " +
    "tenants are untouched (audited). Not yourself, not the last active admin (409).",
  protect: adminWrite,
  request: { params: memberParams },
  responses: { 204: { description: "Suspended in this tenant." }, ...problemResponses(401, 403, 404, 409) },
});

const resumeRoute = protectedRoute({
  method: "post",
  path: "/members/{userId}/resume",
  tags: ["Members"],
  summary: "Lift a member's suspension in this tenant: they may sign in here again (audited).",
  protect: adminWrite,
  request: { params: memberParams },
  responses: { 204: { description: "Active in this tenant." }, ...problemResponses(401, 403, 404) },
});

const inviteRoute = protectedRoute({
  method: "post",
  path: "/invitations",
  tags: ["Members"],
  summary:
    "Invite someone by e-mail with roles: a single-use link, valid 72 hours, stored hashed and e-mailed " +
    "(audited). An earlier open invitation to the same address is revoked.",
  protect: adminWrite,
  request: { body: jsonBody(invitationInputSchema) },
  responses: { 201: jsonResponse(invitationSchema, "Invited."), ...problemResponses(401, 403, 409, 422) },
});

const openInvitationsRoute = protectedRoute({
  method: "get",
  path: "/invitations",
  tags: ["Members"],
  summary: "The invitations still open: not accepted, revoked or expired (admins).",
  protect: adminRead,
  responses: {
    200: jsonResponse(z.object({ items: z.array(invitationSchema) }), "Newest first."),
    ...problemResponses(401, 403),
  },
});

const revokeRoute = protectedRoute({
  method: "delete",
  path: "/invitations/{id}",
  tags: ["Members"],
  summary: "Revoke an open invitation: its link stops working (audited).",
  protect: adminWrite,
  request: { params: invitationParams },
  responses: { 204: { description: "Revoked." }, ...problemResponses(401, 403, 404) },
});

const acceptRoute = createRoute({
  method: "post",
  path: "/invitations/accept",
  tags: ["Members"],
  summary:
    "Accept an invitation with the token from its link (public, throttled). A new address sets its name and " +
    "password, then signs in. An address with an account already signs in to accept (its current password; a " +
    "name is refused with 409 sign_in_required) and goes on as at sign-in: `signIn` is the session (the refresh " +
    "cookie is set), the second factor's challenge for /auth/mfa, or the enrolment the tenant's policy requires.",
  request: { body: jsonBody(acceptInvitationInputSchema) },
  responses: {
    200: jsonResponse(
      acceptedInvitationSchema.extend({ signIn: signInResponse.optional() }),
      "Accepted: the roles are this person's here now.",
    ),
    ...problemResponses(401, 409, 410, 422, 429),
  },
});

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) =>
  c.json(await listMembers(c.get("scope"), c.req.valid("query")), 200);

const rolesHandler: RouteHandler<typeof rolesRoute, AppBindings> = async (c) =>
  c.json(
    await changeMemberRoles(c.get("scope"), { userId: c.req.valid("param").userId, roles: c.req.valid("json").roles }),
    200,
  );

const removeHandler: RouteHandler<typeof removeRoute, AppBindings> = async (c) => {
  await removeMember(c.get("scope"), { userId: c.req.valid("param").userId });
  return c.body(null, 204);
};

const suspendHandler: RouteHandler<typeof suspendRoute, AppBindings> = async (c) => {
  await suspendMember(c.get("scope"), { userId: c.req.valid("param").userId });
  return c.body(null, 204);
};

const resumeHandler: RouteHandler<typeof resumeRoute, AppBindings> = async (c) => {
  await resumeMember(c.get("scope"), { userId: c.req.valid("param").userId });
  return c.body(null, 204);
};

const inviteHandler: RouteHandler<typeof inviteRoute, AppBindings> = async (c) => {
  const body = c.req.valid("json");
  const mail = mailContextOf(c);
  const invitation = await inviteMember(c.get("scope"), {
    email: body.email,
    roles: body.roles,
    origin: mail.origin,
    locale: body.locale ?? mail.locale,
  });
  return c.json(invitation, 201);
};

const openInvitationsHandler: RouteHandler<typeof openInvitationsRoute, AppBindings> = async (c) =>
  c.json({ items: await listOpenInvitations(c.get("scope")) }, 200);

const revokeHandler: RouteHandler<typeof revokeRoute, AppBindings> = async (c) => {
  await revokeInvitation(c.get("scope"), { id: c.req.valid("param").id });
  return c.body(null, 204);
};

const acceptHandler: RouteHandler<typeof acceptRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  // An account that exists accepts by signing in: the access log records it as a sign-in attempt.
  noteSignInAttempt(c, {});
  const { signIn, ...accepted } = await acceptInvitation(c.get("scope"), {
    ...c.req.valid("json"),
    client: await signInClientOf(c),
    deviceHash: await deviceHashOf(ensureDeviceId(c)),
  });
  if (signIn?.kind === "session") noteSignInAttempt(c, { session: signIn.session });
  return c.json(signIn ? { ...accepted, signIn: answerSignIn(c, signIn) } : accepted, 200);
};

export const membersRouter = createRouter()
  .openapi(listRoute, listHandler)
  .openapi(rolesRoute, rolesHandler)
  .openapi(removeRoute, removeHandler)
  .openapi(suspendRoute, suspendHandler)
  .openapi(resumeRoute, resumeHandler)
  .openapi(acceptRoute, acceptHandler)
  .openapi(inviteRoute, inviteHandler)
  .openapi(openInvitationsRoute, openInvitationsHandler)
  .openapi(revokeRoute, revokeHandler);
