/**
 * DOM construction helpers. The console builds every node with these and sets text only
 * through textContent, which is why it needs no innerHTML anywhere: customer text, article
 * titles and notes can never be parsed as markup.
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
  if (!node) throw new Error(`console: #${id} is missing from console.html`);
  return node;
}
