import { fingerprint } from "./styles";

/**
 * The site's only script, on the registration's confirmation page: it copies the token from the link's fragment
 * (`#token=…`, never sent to a server) into the form and removes it from the address bar, so it does not stay in
 * the history. Served from our origin (the CSP allows `script-src 'self'` and no inline script) at a fingerprinted
 * path with a year-long immutable lifetime, like the stylesheet.
 */
export const CONFIRM_SCRIPT = `(function(){var m=/[#&]token=([A-Za-z0-9_%-]+)/.exec(location.hash);var f=document.getElementById("confirm-token");if(m&&f){f.value=decodeURIComponent(m[1]);history.replaceState(null,"",location.pathname);}})();`;

export const CONFIRM_SCRIPT_PATH = `/assets/confirm.${fingerprint(CONFIRM_SCRIPT)}.js`;
