/**
 * The bridge's HTTP API: creating a conversation, loading a stored one's transcript, leaving a
 * message for the team and reporting the host page's goals.
 * Live traffic goes over the websocket (connection.js); these calls are the only ones
 * that need plain HTTP. Requests never send cookies: the widget runs on other sites and
 * authenticates with the conversation's bearer token.
 */

/** Returned by fetchTranscript when the bridge no longer accepts the conversation or token. */
export const GONE = Symbol("gone");

const GONE_HTTP_STATUSES = new Set([401, 403, 404]);

/** Logs HTTP-level failures (a misconfigured bridge); plain network loss is expected and silent. */
function reportHttpError(what, response) {
  console.error(`SupportWidget: ${what} failed with HTTP ${response.status}`);
}

/**
 * Creates a conversation on the bridge. Throws on any failure; the caller's reconnect backoff
 * decides when to try again.
 *
 * @param {import("./config.js").Config} config
 * @param {string} visitorId
 * @param {?import("./identity.js").Identity} [customer]  a signed-in customer (identity.js)
 * @returns {Promise<import("./storage.js").Conversation>}
 */
export async function createConversation(config, visitorId, customer = null) {
  const request = { language: config.lang, visitor_id: visitorId, page_url: location.href };
  if (customer) request.customer = customer;
  const response = await fetch(`${config.bridgeBase}/api/conversations`, {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    reportHttpError("creating a conversation", response);
    throw new Error(`HTTP ${response.status}`);
  }
  const body = await response.json();
  if (!body || typeof body.conversation_id !== "string" || typeof body.token !== "string") {
    throw new Error("malformed conversation response");
  }
  return {
    conversation_id: body.conversation_id,
    token: body.token,
    expires_at: typeof body.expires_at === "string" ? body.expires_at : "",
  };
}

/**
 * The whole transcript of a stored conversation: the response body (`messages`, `status`),
 * GONE when 401/403/404 say it no longer exists for us, or null on any other failure. Never
 * throws: a failed restore is not an error, since the socket replays the transcript anyway.
 *
 * @param {import("./config.js").Config} config
 * @param {import("./storage.js").Conversation} conversation
 */
export async function fetchTranscript(config, conversation) {
  const url = `${config.bridgeBase}/api/conversations/${encodeURIComponent(conversation.conversation_id)}/messages?after=0`;
  try {
    const response = await fetch(url, {
      credentials: "omit",
      headers: { Authorization: `Bearer ${conversation.token}` },
    });
    if (GONE_HTTP_STATUSES.has(response.status)) return GONE;
    if (!response.ok) {
      reportHttpError("loading the conversation", response);
      return null;
    }
    return await response.json();
  } catch {
    return null; // offline or a malformed body
  }
}

/**
 * Leaves a message for the team (the offline form): "ok", "invalid_email" when the bridge
 * refused the address, or "failed" on any other problem. Never throws.
 *
 * @param {import("./config.js").Config} config
 * @param {import("./storage.js").Conversation} conversation
 * @param {{email: string, message: string}} body
 */
export async function leaveMessage(config, conversation, body) {
  const url = `${config.bridgeBase}/api/conversations/${encodeURIComponent(conversation.conversation_id)}/offline-requests`;
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${conversation.token}` },
      body: JSON.stringify({ ...body, language: config.lang }),
    });
    if (response.ok) return "ok";
    if (response.status === 422) return "invalid_email";
    reportHttpError("leaving a message", response);
    return "failed";
  } catch {
    return "failed";
  }
}

/**
 * Reports a goal the host page reached: "ok", "refused" (4xx: it would be refused again), or
 * "retry" when the network or the bridge failed. Never throws.
 *
 * @param {import("./config.js").Config} config
 * @param {import("./storage.js").Conversation} conversation
 * @param {import("./goals.js").Goal} goal
 */
export async function reportGoal(config, conversation, goal) {
  const url = `${config.bridgeBase}/api/conversations/${encodeURIComponent(conversation.conversation_id)}/goals`;
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${conversation.token}` },
      body: JSON.stringify({ goal: goal.goal, page_url: goal.page_url, at: goal.at }),
    });
    if (response.ok) return "ok";
    if (response.status >= 400 && response.status < 500) {
      reportHttpError("reporting a goal", response);
      return "refused";
    }
    return "retry";
  } catch {
    return "retry";
  }
}

/**
 * Tells the bridge who the customer of a running conversation is: "ok"; "conflict" when the
 * conversation belongs to another customer (someone else signed in on this browser); "refused"
 * when the bridge does not trust the identity; "failed" on a network or server failure.
 * Never throws.
 *
 * @param {import("./config.js").Config} config
 * @param {import("./storage.js").Conversation} conversation
 * @param {import("./identity.js").Identity} identity
 */
export async function identifyConversation(config, conversation, identity) {
  const url = `${config.bridgeBase}/api/conversations/${encodeURIComponent(conversation.conversation_id)}/identity`;
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${conversation.token}` },
      body: JSON.stringify(identity),
    });
    if (response.ok) return "ok";
    if (response.status === 409) return "conflict";
    reportHttpError("identifying the customer", response);
    return response.status >= 400 && response.status < 500 ? "refused" : "failed";
  } catch {
    return "failed";
  }
}
