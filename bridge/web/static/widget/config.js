/**
 * The widget's configuration, from the embedding tag's data-* attributes.
 *
 * The loader (widget.js) copies the raw attribute values into an "embed" object; this module
 * is the one place that validates them, so nothing else in the widget trusts page-supplied
 * text. Every value falls back to something that works: a bad attribute never stops the chat.
 *
 * @typedef {object} Embed  Raw values from the <script> tag, as the loader found them.
 * @property {string} src  Absolute URL of widget.js ("" when the tag was not found).
 * @property {?string} lang  data-lang
 * @property {?string} title  data-title
 * @property {?string} color  data-color
 * @property {?string} bridgeUrl  data-bridge-url
 * @property {{id: ?string, signature: ?string, name: ?string, email: ?string}} customer
 *   data-customer-*: a signed-in customer (checked by identity.js, then by the bridge)
 *
 * @typedef {object} Config
 * @property {"en"|"hu"} lang
 * @property {string} bridgeBase  Bridge base URL without a trailing slash.
 * @property {string} bridgeOrigin  Its origin; keys the stored conversation.
 * @property {string} title  Panel title.
 * @property {string} color  Accent colour, #rgb or #rrggbb.
 */

import { STRINGS } from "./strings.js";

const DEFAULT_COLOR = "#0f766e";

/** Only the two languages we have strings for; "hu-HU" counts as Hungarian. */
export function normaliseLanguage(value) {
  const primary = String(value || "").trim().toLowerCase().split(/[-_]/)[0];
  return primary === "hu" ? "hu" : "en";
}

/** Accept #rgb / #rrggbb only, so the value can go into the stylesheet without CSS injection. */
export function normaliseColor(value) {
  const color = String(value || "").trim();
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color.toLowerCase() : DEFAULT_COLOR;
}

/**
 * Base URL of the bridge, without a trailing slash. Empty means "where widget.js came from",
 * which is what makes a one-tag embed work on any site. A path prefix is kept so the bridge
 * may live under e.g. https://shop.example/support.
 */
export function resolveBridgeBase(scriptSrc, configuredUrl) {
  const scriptUrl = scriptSrc ? new URL(scriptSrc, document.baseURI) : new URL(location.href);
  const fallback = scriptUrl.origin;
  const configured = (configuredUrl || "").trim();
  if (!configured) return fallback;
  try {
    const url = new URL(configured, document.baseURI);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(url.protocol);
    return (url.origin + url.pathname).replace(/\/+$/, "");
  } catch (error) {
    console.error("SupportWidget: invalid data-bridge-url, using the script's origin", error);
    return fallback;
  }
}

/**
 * Validated configuration from the loader's raw values. The page's own <html lang> is the
 * fallback language, so a site that is already localised needs no data-lang.
 *
 * @param {Embed} embed
 * @returns {Config}
 */
export function readConfig(embed) {
  const lang = normaliseLanguage(embed.lang || document.documentElement.lang);
  const bridgeBase = resolveBridgeBase(embed.src, embed.bridgeUrl);
  let bridgeOrigin;
  try {
    bridgeOrigin = new URL(bridgeBase).origin;
  } catch {
    bridgeOrigin = bridgeBase; // e.g. "null" for a page opened from file://
  }
  return {
    lang,
    bridgeBase,
    bridgeOrigin,
    title: (embed.title || "").trim() || STRINGS[lang].title,
    color: normaliseColor(embed.color),
  };
}
