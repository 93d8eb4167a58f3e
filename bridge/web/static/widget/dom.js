/**
 * DOM construction helpers. The widget builds every node with these (and sets text only
 * through textContent), which is why it needs no innerHTML anywhere: message text can never
 * be parsed as markup.
 */

/** Shorthand for createElement with a class and attributes; never takes HTML. */
export function el(tag, className, attributes) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (attributes) for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** Inline stroke icons, built as SVG nodes so the widget needs no innerHTML at all. */
export function icon(pathData, size = 24) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [name, value] of Object.entries({
    viewBox: "0 0 24 24", width: String(size), height: String(size), fill: "none",
    stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round",
    "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false",
  })) svg.setAttribute(name, value);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", pathData);
  svg.append(path);
  return svg;
}

/** Path data for the icons the widget uses (24×24 stroke icons). */
export const ICONS = {
  chat: "M21 11.5a8.4 8.4 0 0 1-9 8.4 8.9 8.9 0 0 1-3.8-.9L3 20.5l1.4-4.6A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z",
  chevron: "M6 9l6 6 6-6",
  close: "M6 6l12 12M18 6L6 18",
  send: "M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z",
};

