import { createRouter } from "../../lib/router";
import {
  getPolicy,
  postForcedEnrol,
  postForcedEnrolConfirm,
  postLogin,
  postLogout,
  postLogoutAll,
  postMfa,
  postPasswordReset,
  postPasswordResetConfirm,
  postRefresh,
  putPolicy,
} from "./auth.handlers";
import {
  forcedEnrolConfirmRoute,
  forcedEnrolRoute,
  getPolicyRoute,
  loginRoute,
  logoutAllRoute,
  logoutRoute,
  mfaRoute,
  passwordResetConfirmRoute,
  passwordResetRoute,
  putPolicyRoute,
  refreshRoute,
} from "./auth.routes";

export const authRouter = createRouter()
  .openapi(loginRoute, postLogin)
  .openapi(mfaRoute, postMfa)
  .openapi(forcedEnrolRoute, postForcedEnrol)
  .openapi(forcedEnrolConfirmRoute, postForcedEnrolConfirm)
  .openapi(refreshRoute, postRefresh)
  .openapi(logoutRoute, postLogout)
  .openapi(logoutAllRoute, postLogoutAll)
  .openapi(getPolicyRoute, getPolicy)
  .openapi(putPolicyRoute, putPolicy)
  .openapi(passwordResetRoute, postPasswordReset)
  .openapi(passwordResetConfirmRoute, postPasswordResetConfirm);
