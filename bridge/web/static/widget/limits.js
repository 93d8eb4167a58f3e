/**
 * Message length rules. They mirror the bridge's own check (`max_message_chars`), so that a
 * message the widget lets through is one the bridge accepts.
 */

/** Longest customer message, counted as the bridge counts it (see codePointLength). */
export const MAX_LENGTH = 2000;

/** The character counter only appears near the limit, where it helps rather than distracts. */
export const COUNTER_FROM = 1800;

/** Length in code points, which is what the Python bridge's len() counts (emoji = 1). */
export function codePointLength(text) {
  return Array.from(text).length;
}
