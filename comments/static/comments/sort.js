// The reader's order (oldest, newest, best) is remembered in this browser and applied to
// the next thread they open, from the same cached pages the links lead to.

import { getDocument } from "./api.js";

const KEY = "masthead_sort";
const SORTS = ["oldest", "newest", "best"];

export function rememberSort(section) {
  section.addEventListener("click", (event) => {
    const link = event.target.closest(".comment-sort a[data-sort]");
    if (!link) return;
    try {
      localStorage.setItem(KEY, link.dataset.sort);
    } catch {
      // Storage refused: the link still works.
    }
  });
}

export async function applyRememberedSort(section) {
  let wanted = null;
  try {
    wanted = localStorage.getItem(KEY);
  } catch {
    return false;
  }
  const params = new URLSearchParams(location.search);
  if (!SORTS.includes(wanted) || wanted === section.dataset.sort) return false;
  if (params.has("sort") || params.has("cpage") || location.hash.startsWith("#comment-")) return false;
  if (!section.querySelector(".comment-sort")) return false;
  const url = new URL(location.href);
  url.searchParams.set("sort", wanted);
  url.hash = "";
  try {
    const doc = await getDocument(url);
    const fresh = doc.querySelector("#comments .comment-thread");
    const tools = doc.querySelector("#comments .comment-sort");
    if (!fresh || !tools) return false;
    section.querySelector(".comment-thread").replaceWith(fresh);
    section.querySelector(".comment-sort").replaceWith(tools);
    section.dataset.sort = wanted;
    history.replaceState(null, "", url.pathname + url.search + location.hash);
    return true;
  } catch {
    return false;
  }
}
