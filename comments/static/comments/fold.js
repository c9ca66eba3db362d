// "Show N more replies" in place (without JavaScript it leads to the branch's own page),
// and a link to a comment that this page does not hold goes to where it is.

import { getDocument } from "./api.js";

export function setupFolds(section, onInserted) {
  section.addEventListener("click", async (event) => {
    const link = event.target.closest("a.more-replies-link");
    if (!link) return;
    const root = section.querySelector(`#comment-${link.dataset.root}`);
    const here = root?.querySelector(":scope > ol.children");
    if (!here) return; // the branch's page will show them
    event.preventDefault();
    try {
      const doc = await getDocument(link.href);
      const fresh = doc.querySelector(`#comment-${link.dataset.root} > ol.children`);
      if (!fresh) throw new Error("no replies");
      here.replaceWith(fresh);
      onInserted?.(section);
      const first = section.querySelector(link.hash);
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus();
      }
    } catch {
      location.href = link.href;
    }
  });
}

export function followMissingAnchor(section) {
  const match = /^#comment-(\d+)$/.exec(location.hash);
  if (match && !document.getElementById(`comment-${match[1]}`) && section.dataset.page) {
    location.replace(`/comments/${match[1]}/`);
  }
}
