import { createContentRouter } from "../content";

/** `/api/posts`: the admin API of posts (see routes/content for the shared routes). */
export const postsRouter = createContentRouter("post");
