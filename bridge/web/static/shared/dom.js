/**
 * DOM construction helpers for every page (widget, console, studio, dashboard). Nodes are
 * built with these and text is set only through textContent, which is why no page needs
 * innerHTML: customer text, article titles and notes can never be parsed as markup.
 */

/** Shorthand for createElement with a class and attributes; never takes HTML. */
export function el(tag, className, attributes) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (attributes) for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** An element whose only content is `text` (as text, never markup). */
export function textEl(tag, className, text, attributes) {
  const node = el(tag, className, attributes);
  node.textContent = text;
  return node;
}

/** The element with this id; a missing one is a template/module mismatch, so fail loudly. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

/** An inline 24×24 stroke icon, built as SVG nodes (no innerHTML); `pathData` is its path. */
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
