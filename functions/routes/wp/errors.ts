/**
 * WordPress's own error body, `{ code, message, data: { status, params? } }`, rather than problem+json:
 * WordPress clients switch on `code` and `data.status` (wp-includes/rest-api/class-wp-rest-server.php).
 */
export class WordPressError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: string,
    message: string,
    readonly params?: Record<string, string>,
  ) {
    super(message);
  }

  toJSON(): { code: string; message: string; data: { status: number; params?: Record<string, string> } } {
    return {
      code: this.code,
      message: this.message,
      data: { status: this.status, ...(this.params ? { params: this.params } : {}) },
    };
  }
}

/** What WordPress answers for a URL none of its routes match. */
export function noRouteError(): WordPressError {
  return new WordPressError(404, "rest_no_route", "No route was found matching the URL and request method.");
}

/** A collection page past the last one (an empty collection's page 1 is not). */
export function invalidPageNumberError(): WordPressError {
  return new WordPressError(
    400,
    "rest_post_invalid_page_number",
    "The page number requested is larger than the number of pages available.",
  );
}
