/**
 * Every string the customer sees, in the two languages the bot speaks. The language is fixed
 * per page load by the embedding tag (see config.js), so nothing here is reactive.
 */

import { MAX_LENGTH } from "./limits.js";

/**
 * The Hungarian definite article before `word`: "az" before a vowel sound, else "a". A
 * leading number goes by how it is read (az 1, az 5, az 50, a 9, a 100, az 1000); the same
 * rule as knowledge_base/text.py's hu_article, which the bot's replies use.
 */
export function huArticle(word) {
  const text = String(word).trim();
  const digits = /^\d+/.exec(text);
  if (!digits) return /^[aáeéiíoóöőuúüű]/i.test(text) ? "az" : "a";
  let number = Number(digits[0]);
  let scale = 0;
  while (number >= 1000) {
    number = Math.floor(number / 1000);
    scale += 1;
  }
  if (scale === 1 && number === 1) return "az"; // 1000-1999: "ezer…"
  const leading = String(number)[0];
  return leading === "5" || (leading === "1" && number === 1) ? "az" : "a";
}

/** UI strings by language; entries that depend on a number or a name are functions. */
export const STRINGS = {
  en: {
    title: "Northwind Support",
    openChat: "Open support chat",
    closeChat: "Close support chat",
    unread: (n) => (n === 1 ? "1 new message" : `${n} new messages`),
    log: "Conversation",
    inputLabel: "Type your message",
    placeholder: "Type your message…",
    send: "Send message",
    typingBot: "Assistant is typing…",
    typingAgent: "An agent is typing…",
    reconnecting: "Reconnecting…",
    quickReplies: "Suggested replies",
    statusBot: "Virtual assistant · answers right away",
    statusWaiting: "Waiting for an agent…",
    statusWithAgent: (name) => `Chatting with ${name}`,
    statusClosed: "Conversation closed",
    agent: "Agent",
    empty: "Hi! Ask us about orders, delivery, returns or any of our products.",
    tooLong: `Messages can be at most ${MAX_LENGTH} characters long.`,
    restarted: "Your previous conversation has ended, so we started a new one.",
    genericError: "Something went wrong. Please try again.",
    offlineTitle: "Leave a message for our team",
    offlineEmail: "Your email address",
    offlineMessage: "Your question",
    offlineSend: "Send",
    offlineCancel: "Cancel",
    offlineBadEmail: "Please enter a valid email address.",
    offlineEmpty: "Please write your question.",
    offlineThanks: (email) => `Thank you! We'll answer at ${email} as soon as we can.`,
  },
  hu: {
    title: "Northwind ügyfélszolgálat",
    openChat: "Ügyfélszolgálati csevegés megnyitása",
    closeChat: "Ügyfélszolgálati csevegés bezárása",
    unread: (n) => `${n} új üzenet`,
    log: "Beszélgetés",
    inputLabel: "Írja be az üzenetét",
    placeholder: "Írja be az üzenetét…",
    send: "Üzenet küldése",
    typingBot: "Az asszisztens ír…",
    typingAgent: "Az ügyintéző ír…",
    reconnecting: "Újracsatlakozás…",
    quickReplies: "Javasolt válaszok",
    statusBot: "Virtuális asszisztens · azonnal válaszol",
    statusWaiting: "Várakozás ügyintézőre…",
    statusWithAgent: (name) => `Ügyintéző: ${name}`,
    statusClosed: "A beszélgetés lezárult",
    agent: "Ügyintéző",
    empty: "Üdvözöljük! Kérdezzen bátran rendelésről, szállításról, visszaküldésről vagy termékeinkről.",
    tooLong: `Az üzenet legfeljebb ${MAX_LENGTH} karakter lehet.`,
    restarted: "Az előző beszélgetés véget ért, ezért újat indítottunk.",
    genericError: "Hiba történt. Kérjük, próbálja újra.",
    offlineTitle: "Üzenet munkatársainknak",
    offlineEmail: "E-mail-cím",
    offlineMessage: "Kérdése",
    offlineSend: "Küldés",
    offlineCancel: "Mégse",
    offlineBadEmail: "Kérjük, érvényes e-mail-címet adjon meg.",
    offlineEmpty: "Kérjük, írja le a kérdését.",
    offlineThanks: (email) => `Köszönjük! Hamarosan válaszolunk ${huArticle(email)} ${email} címre.`,
  },
};
