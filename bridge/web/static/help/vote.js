// "Was this helpful?" on a help-center article page: one vote per article per browser
// (remembered in localStorage), sent as JSON to /api/help/votes.
const box = document.querySelector("[data-vote]");

if (box) {
  const articleId = box.dataset.articleId;
  const key = `supportbot.help-vote.${articleId}`;
  const buttons = [...box.querySelectorAll("button[data-helpful]")];
  const thanks = box.querySelector(".thanks");
  const failed = box.querySelector(".error");

  const done = () => {
    buttons.forEach((b) => { b.hidden = true; });
    failed.hidden = true;
    thanks.hidden = false;
  };

  if (localStorage.getItem(key) !== null) done();

  box.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-helpful]");
    if (!button) return;
    buttons.forEach((b) => { b.disabled = true; });
    const helpful = button.dataset.helpful === "true";
    try {
      const response = await fetch("/api/help/votes", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ article_id: articleId, helpful }),
      });
      // 429: this address voted a lot already; the reader is thanked all the same.
      if (!response.ok && response.status !== 429) throw new Error(String(response.status));
      localStorage.setItem(key, String(helpful));
      done();
    } catch {
      buttons.forEach((b) => { b.disabled = false; });
      failed.hidden = false;
    }
  });
}
