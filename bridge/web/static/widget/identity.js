/**
 * A signed-in shop customer, as the host page names them: SupportWidget.identify({...}) or the
 * tag's data-customer-* attributes. The shop's server signs the id (README, "Identified
 * customers"); the bridge checks the signature and trusts nothing else about the customer.
 *
 * The checks here only keep obvious junk off the wire (a wrong shape, an object too large to
 * send): the bridge validates again and decides. A refused identity is logged to the console
 * and the chat goes on anonymously.
 *
 * @typedef {object} Identity
 * @property {string} id
 * @property {string} signature  hex HMAC-SHA256 of the id, made by the shop's server
 * @property {string} [name]
 * @property {string} [email]
 * @property {string} [locale]
 * @property {Object<string, string|number|boolean>} [attributes]
 */

const MAX_IDENTITY_CHARS = 8192; // the bridge refuses larger identities
const SIGNATURE = /^[0-9a-f]{64}$/i;
const FLAT = new Set(["string", "number", "boolean"]);

function optionalText(value, max) {
  return typeof value === "string" && value.trim() && value.length <= max ? value.trim() : undefined;
}

/**
 * The identity to send, or null (with the reason on the console) when it cannot be one.
 *
 * @param {unknown} raw
 * @returns {?Identity}
 */
export function normaliseIdentity(raw) {
  const refuse = (why) => {
    console.warn(`SupportWidget.identify: ${why}; the chat stays anonymous`);
    return null;
  };
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return refuse("expected an object");
  const { id, signature } = raw;
  if (typeof id !== "string" || !id || id.length > 128) return refuse("id must be 1-128 characters");
  if (typeof signature !== "string" || !SIGNATURE.test(signature)) return refuse("signature must be 64 hex digits");
  const attributes = {};
  if (raw.attributes !== undefined && raw.attributes !== null) {
    if (typeof raw.attributes !== "object" || Array.isArray(raw.attributes)) return refuse("attributes must be an object");
    for (const [name, value] of Object.entries(raw.attributes)) {
      if (!FLAT.has(typeof value)) return refuse(`attribute ${name} must be a string, number or boolean`);
      attributes[name] = value;
    }
  }
  const identity = {
    id,
    signature,
    name: optionalText(raw.name, 100),
    email: optionalText(raw.email, 254),
    locale: optionalText(raw.locale, 16),
    attributes,
  };
  if (JSON.stringify(identity).length > MAX_IDENTITY_CHARS) return refuse("the identity is too large");
  return identity;
}

/** The identity from the tag's data-customer-* attributes, or null when there is no id. */
export function identityFromEmbed(customer) {
  if (!customer || !customer.id) return null;
  return normaliseIdentity({
    id: customer.id,
    signature: customer.signature,
    name: customer.name || undefined,
    email: customer.email || undefined,
  });
}
