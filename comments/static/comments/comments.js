// The comment section's enhancements; without them the plain form still works.

import { offerOwnActions } from "./own.js";
import { prefill } from "./prefill.js";
import { setupReplies } from "./reply.js";
import { setupSubmit } from "./submit.js";

const section = document.getElementById("comments");
const form = section?.querySelector("#commentform");
if (section) offerOwnActions(section);
if (section && form) {
  prefill(form);
  const replies = setupReplies(section, form);
  setupSubmit(section, form, replies);
}
