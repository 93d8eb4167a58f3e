/** The studio's endpoints (bridge/api/studio_articles.py), one function each. */
import { request } from "/staff/request.js";

const enc = encodeURIComponent;
const articleUrl = (id) => `/api/studio/articles/${enc(id)}`;

export const api = {
  create: (article) => request("POST", "/api/studio/articles", { body: article }),
  saveDraft: (id, version, article) => request("PUT", `${articleUrl(id)}/draft`, { body: { version, article } }),
  publish: (id, version, article) => request("POST", `${articleUrl(id)}/publish`, { body: { version, article } }),
  archive: (id, version) => request("POST", `${articleUrl(id)}/archive`, { body: { version } }),
  restore: (id, number, version) => request("POST", `${articleUrl(id)}/revisions/${enc(number)}/restore`, { body: { version } }),
  addQuestions: (id, questions) => request("POST", `${articleUrl(id)}/questions`, { body: { questions } }),
  preview: (article) => request("POST", "/api/studio/preview", { body: article }),
  test: (question, language, article) => request("POST", "/api/studio/test", { body: { question, language, article } }),
};
