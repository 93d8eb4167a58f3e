/**
 * Formatting of times, scores and URLs for display. Kept apart from the rendering modules so
 * that every place shows a time or a score the same way.
 */

/** Clock time ("14:05") of an ISO timestamp, or "" when it does not parse. */
export function clockTime(iso, lang) {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return "";
  return time.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
}

/** Full local date and time, for title tooltips and <time> elements. */
export function fullTime(iso, lang) {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? "" : time.toLocaleString(lang);
}

/** Whole minutes since an ISO timestamp (0 for a bad or future one). */
export function minutesSince(iso, now = Date.now()) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? 0 : Math.max(0, Math.floor((now - time) / 60000));
}

/** Retrieval scores are cosine-like numbers; two decimals are what an agent can compare. */
export function score(value) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(2) : "–";
}

/**
 * The URL if it is an absolute http(s) URL, else null. The page URL comes from the customer's
 * browser, so anything else (javascript:, data:) must never become a link.
 */
export function safeHttpUrl(value) {
  if (typeof value !== "string" || !value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

const URL_ESCAPES = { "(": "%28", ")": "%29" };

/**
 * A Markdown link the widget renders for the customer. Brackets in the title and parentheses
 * or spaces in the URL would end the construct early, so they are escaped or percent-encoded.
 */
export function markdownLink(title, url) {
  const safeTitle = String(title).replace(/[\\[\]]/g, (ch) => `\\${ch}`).replace(/\s+/g, " ").trim();
  // encodeURIComponent leaves parentheses alone, hence the explicit table.
  const safeUrl = String(url).trim().replace(/[()\s]/g, (ch) => URL_ESCAPES[ch] || "%20");
  return `[${safeTitle}](${safeUrl})`;
}
