import { createTermRouter } from "../content/terms";

/** `/api/tags`: flat tags. */
export const tagsRouter = createTermRouter("tag");
