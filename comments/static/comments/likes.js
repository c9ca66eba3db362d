// Likes in place: the like button posts without leaving the page, and the counts shown
// are brought up to date from the page's live state.

import { postLike } from "./api.js";

const LIKED = "masthead_liked";

function plural(count, one, many) {
  if (!count) return "";
  return `${count} ${count === 1 ? one : many}`;
}

function liked() {
  try {
    const ids = JSON.parse(localStorage.getItem(LIKED) || "[]");
    return Array.isArray(ids) ? ids.map(String) : [];
  } catch {
    return [];
  }
}

function remember(id) {
  const ids = [id, ...liked().filter((other) => other !== id)].slice(0, 500);
  try {
    localStorage.setItem(LIKED, JSON.stringify(ids));
  } catch {
    // Private windows may refuse storage: the button just forgets.
  }
}

function commentId(form) {
  return form.closest("li.comment")?.id.replace("comment-", "");
}

function setCount(form, selector, count, one, many) {
  const node = form.querySelector(selector);
  if (!node || count === undefined) return;
  node.dataset.count = String(count);
  node.textContent = plural(count, one, many);
}

export function setupLikes(section) {
  const status = document.createElement("p");
  status.className = "visually-hidden like-status";
  status.setAttribute("role", "status");
  section.append(status);

  function markLiked(root) {
    const mine = new Set(liked());
    for (const form of root.querySelectorAll("form.comment-like")) {
      if (mine.has(commentId(form))) form.querySelector(".like-button")?.setAttribute("aria-pressed", "true");
    }
  }

  function showCounts(state) {
    for (const form of section.querySelectorAll("form.comment-like")) {
      const id = commentId(form);
      setCount(form, ".like-count", state.likes[id] || 0, "like", "likes");
      if (state.dislikes) setCount(form, ".dislike-count", state.dislikes[id] || 0, "dislike", "dislikes");
    }
  }

  section.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.comment-like");
    if (!form) return;
    event.preventDefault();
    const button = event.submitter || form.querySelector(".like-button");
    if (button.getAttribute("aria-pressed") === "true" || button.dataset.busy) return;
    button.dataset.busy = "1";
    try {
      const { ok, data } = await postLike(form, button.value || "1");
      if (ok) {
        setCount(form, ".like-count", data.likes, "like", "likes");
        setCount(form, ".dislike-count", data.dislikes, "dislike", "dislikes");
      }
      if (ok || data.error?.code === "already_liked") {
        button.setAttribute("aria-pressed", "true");
        remember(commentId(form));
      }
      status.textContent = ok ? (data.value === 1 ? "Liked." : "Disliked.") : data.error.message;
    } catch {
      status.textContent = "Your like could not be sent. Check your connection and try again.";
    } finally {
      delete button.dataset.busy;
    }
  });
  markLiked(section);
  return { showCounts, markLiked };
}
