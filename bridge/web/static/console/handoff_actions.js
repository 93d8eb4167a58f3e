/**
 * What the agent does to a handoff over REST: claim it from the queue, hand it back to the
 * bot, or close it. A 409 means someone or something was faster, and the agent is told in
 * words ("Already taken by Anna", "No longer waiting") instead of a status code.
 */

import { api } from "./api.js";
import { isHandoff } from "./queue.js";

/**
 * @param {object} options
 * @param {object} options.t  UI strings
 * @param {ReturnType<import("./queue.js").createQueue>} options.queue
 * @param {ReturnType<import("./notice.js").createNotice>} options.notice
 * @param {(conversationId: string, options: object) => Promise<any>} options.open  opens a chat tab
 * @param {(chat: import("./chat_model.js").Chat) => void} options.refresh  reloads a chat from the server
 */
export function createHandoffActions({ t, queue, notice, open, refresh }) {
  const failure = (result) => (result.status === 0 ? t.networkError : t.genericError);

  /** Claims a waiting customer and opens the chat, ready to type. */
  async function claim(handoff, button) {
    button.disabled = true;
    const result = await api.claim(handoff.handoff_id);
    button.disabled = false;
    if (result.ok && isHandoff(result.body?.handoff)) {
      queue.update(result.body.handoff);
      await open(result.body.handoff.conversation_id, { handoff: result.body.handoff, focusCompose: true });
      return;
    }
    if (result.status !== 409) {
      notice.show(failure(result));
    } else if (result.body?.code === "taken") {
      // The contract's 409 carries no name: use one if the bridge sends it, else the last one seen.
      const name = result.body?.claimed_by?.display_name || queue.claimerOf(handoff.handoff_id);
      notice.show(name ? t.alreadyTaken(name) : t.alreadyTakenUnknown);
    } else {
      notice.show(t.noLongerWaiting);
    }
  }

  /**
   * Hands the chat back to the bot or closes it. Both end this agent's part; the server's
   * status event follows, but the chat is updated at once from the answer.
   *
   * @param {import("./chat_model.js").Chat} chat
   * @param {"hand-back"|"close"} kind
   */
  async function finish(chat, kind) {
    if (!chat.handoff) return;
    const call = kind === "close" ? api.close : api.handBack;
    const result = await call(chat.handoff.handoff_id);
    if (result.ok && isHandoff(result.body?.handoff)) {
      chat.handoff = result.body.handoff;
      chat.status = kind === "close" ? "closed" : "bot";
      queue.update(chat.handoff);
      notice.show(kind === "close" ? t.closedDone : t.handedBack, { kind: "info" });
    } else if (result.status === 409) {
      notice.show(t.notActive);
      refresh(chat);
    } else {
      notice.show(failure(result));
    }
  }

  return { claim, finish };
}
