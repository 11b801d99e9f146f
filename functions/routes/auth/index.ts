import { createRouter } from "../../lib/router";
import { protect } from "../../middleware/protect";
import { postLogin, postLogout, postLogoutAll, postMfa, postRefresh } from "./auth.handlers";
import { loginRoute, logoutAllRoute, logoutRoute, mfaRoute, refreshRoute } from "./auth.routes";

const signedIn = protect({
  sensitivity: "public",
  action: "write",
  roles: ["admin", "editor", "author", "medical_reviewer", "compliance_officer", "reader_professional"],
});

export const authRouter = createRouter()
  .openapi(loginRoute, postLogin)
  .openapi(mfaRoute, postMfa)
  .openapi(refreshRoute, postRefresh)
  .openapi({ ...logoutRoute, middleware: [signedIn] }, postLogout)
  .openapi({ ...logoutAllRoute, middleware: [signedIn] }, postLogoutAll);
