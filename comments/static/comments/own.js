// Offer Edit and Delete on the reader's own recent comments. The page is the same for every
// reader (it may come from a cache), so this browser adds what is personal.

const COOKIE = "masthead_editable";

function editable() {
  const part = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  if (!part) return [];
  const now = Date.now() / 1000;
  return decodeURIComponent(part.slice(COOKIE.length + 1))
    .split("|")
    .map((entry) => entry.split("."))
    .filter(([id, until]) => /^\d+$/.test(id) && Number(until) > now)
    .map(([id]) => id);
}

export function offerOwnActions(section) {
  for (const id of editable()) {
    const article = section.querySelector(`#comment-${id} > article`);
    if (!article || article.querySelector(".comment-edit-link")) continue;
    let actions = article.querySelector(":scope > .comment-actions");
    if (!actions) {
      actions = document.createElement("div");
      actions.className = "comment-actions";
      article.append(actions);
    }
    for (const [kind, label] of [["edit", "Edit"], ["delete", "Delete"]]) {
      const link = document.createElement("a");
      link.className = `comment-${kind}-link`;
      link.href = `/comments/${id}/${kind}/`;
      link.textContent = label;
      actions.append(link);
    }
  }
}
