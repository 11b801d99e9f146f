import { createContentRouter } from "../content";

/** `/api/pages`: the admin API of pages (see routes/content for the shared routes). */
export const pagesRouter = createContentRouter("page");
