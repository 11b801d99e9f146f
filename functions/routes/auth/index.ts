import { createRouter } from "../../lib/router";
import { postLogin, postLogout, postLogoutAll, postMfa, postRefresh } from "./auth.handlers";
import { loginRoute, logoutAllRoute, logoutRoute, mfaRoute, refreshRoute } from "./auth.routes";

export const authRouter = createRouter()
  .openapi(loginRoute, postLogin)
  .openapi(mfaRoute, postMfa)
  .openapi(refreshRoute, postRefresh)
  .openapi(logoutRoute, postLogout)
  .openapi(logoutAllRoute, postLogoutAll);
