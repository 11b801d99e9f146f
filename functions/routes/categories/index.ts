import { createTermRouter } from "../content/terms";

/** `/api/categories`: hierarchical categories (the medical specialties by default). */
export const categoriesRouter = createTermRouter("category");
