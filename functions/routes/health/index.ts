import { createRouter } from "../../lib/router";
import { getLiveness, getReadiness } from "./health.handlers";
import { healthz, readyz } from "./health.routes";

export const healthRouter = createRouter().openapi(healthz, getLiveness).openapi(readyz, getReadiness);
