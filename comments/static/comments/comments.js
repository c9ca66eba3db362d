// The comment section's enhancements; without them the plain form still works.

import { followMissingAnchor, setupFolds } from "./fold.js";
import { setupLikes } from "./likes.js";
import { setupLive } from "./live.js";
import { offerOwnActions } from "./own.js";
import { prefill } from "./prefill.js";
import { setupReplies } from "./reply.js";
import { applyRememberedSort, rememberSort } from "./sort.js";
import { setupSubmit } from "./submit.js";

const section = document.getElementById("comments");
const form = section?.querySelector("#commentform");
if (section) {
  await applyRememberedSort(section);
  rememberSort(section);
  offerOwnActions(section);
  const likes = setupLikes(section);
  const refresh = () => {
    offerOwnActions(section);
    likes.markLiked(section);
  };
  setupFolds(section, refresh);
  setupLive(section, { onState: likes.showCounts, onInserted: refresh });
  followMissingAnchor(section);
}
if (section && form) {
  prefill(form);
  const replies = setupReplies(section, form);
  setupSubmit(section, form, replies);
}
