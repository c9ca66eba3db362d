// New comments without a reload: the page's live state is read once when the page opens
// (for the like counts) and then every few seconds; comments that became public since
// the page was rendered are announced in a polite live region, and shown only when the
// reader asks, so nothing moves under them.

import { getJSON, getState } from "./api.js";

function announcement(count) {
  return count === 1 ? "1 new comment" : `${count} new comments`;
}

function insert(section, comment, newestFirst) {
  const holder = document.createElement("template");
  holder.innerHTML = comment.html.trim();
  const node = holder.content.firstElementChild;
  const parent = comment.parent && section.querySelector(`#comment-${comment.parent}`);
  let list = section.querySelector(".comment-list");
  if (parent) {
    list = parent.querySelector(":scope > ol.children");
    if (!list) {
      list = document.createElement("ol");
      list.className = "children";
      parent.append(list);
    }
    list.append(node);
  } else if (newestFirst) {
    list.prepend(node);
  } else {
    list.append(node);
  }
  return node;
}

export function setupLive(section, { onState, onInserted }) {
  const page = section.dataset.page;
  const poll = Number(section.dataset.live || 0);
  const region = section.querySelector(".comment-live");
  if (!page || !region) return;
  const url = `/comments/live/${page}/?since=${section.dataset.rendered || ""}`;
  let etag = null;
  let waiting = [];
  let countText = null;
  let timer = null;

  const button = document.createElement("button");
  button.type = "button";
  button.className = "new-comments-button";
  button.addEventListener("click", async () => {
    const ids = waiting.map(([id]) => id);
    if (!ids.length) return;
    button.disabled = true;
    try {
      const data = await getJSON(`/comments/live/${page}/comments/?ids=${ids.join(",")}`);
      const newestFirst = section.dataset.sort === "newest";
      const nodes = data.comments
        .filter((comment) => !document.getElementById(`comment-${comment.id}`))
        .map((comment) => insert(section, comment, newestFirst));
      waiting = [];
      button.remove();
      if (countText) section.querySelector(".comments-title").textContent = countText;
      if (nodes.length) {
        onInserted?.(section);
        nodes[0].setAttribute("tabindex", "-1");
        nodes[0].focus();
      }
    } catch {
      region.textContent = "The new comments could not be loaded. Please reload the page.";
    } finally {
      button.disabled = false;
    }
  });

  async function check() {
    timer = null;
    try {
      const { status, data, etag: tag } = await getState(url, etag);
      if (status === 200) {
        etag = tag;
        onState?.(data);
        countText = data.count_text;
        waiting = data.new.filter(([id]) => !document.getElementById(`comment-${id}`));
        if (waiting.length) {
          button.textContent = announcement(waiting.length);
          if (!button.isConnected) region.append(button);
        } else {
          button.remove();
        }
      }
    } catch {
      // Offline for a moment: try again at the next turn.
    }
    if (poll > 0 && !document.hidden) timer = setTimeout(check, poll * 1000);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && poll > 0 && timer === null) check();
  });
  check();
}
