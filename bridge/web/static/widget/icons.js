/** Path data for the icons the widget uses (24×24 stroke icons, drawn by shared/dom.js icon()). */
export const ICONS = {
  chat: "M21 11.5a8.4 8.4 0 0 1-9 8.4 8.9 8.9 0 0 1-3.8-.9L3 20.5l1.4-4.6A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z",
  chevron: "M6 9l6 6 6-6",
  close: "M6 6l12 12M18 6L6 18",
  send: "M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z",
};
