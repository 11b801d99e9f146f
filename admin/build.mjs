// Builds the admin SPA into admin/dist (see vite.config.ts for the layout the Worker's assets expect).
// Same as: npx vite build --config admin/vite.config.ts
import { build } from "vite";

await build({ configFile: new URL("./vite.config.ts", import.meta.url).pathname, logLevel: "warn" });
