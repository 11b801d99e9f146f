// The baseline every benchmark is compared with: the smallest Hono Worker, on the same runtime, same run.
import { Hono } from "hono";

const app = new Hono();
app.get("*", (c) => c.json({ status: "ok" }));

export default app;
