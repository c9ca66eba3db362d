// Move the form under the comment being answered, and back.

export function setupReplies(section, form) {
  const respond = section.querySelector("#respond");
  if (!respond) return;
  const home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  respond.before(home);
  const title = respond.querySelector(".reply-title-text");
  const cancel = respond.querySelector("#cancel-comment-reply-link");
  const parentInput = form.elements["parent"];

  function replyTo(link) {
    const comment = link.closest("li.comment");
    comment.querySelector(":scope > article").after(respond);
    parentInput.value = link.dataset.commentId;
    // The name in <bdi>, as the server writes it: a right-to-left name keeps to itself.
    const name = document.createElement("bdi");
    name.textContent = link.dataset.author;
    title.replaceChildren("Leave a Reply to ", name);
    cancel.hidden = false;
    form.elements["body"].focus();
  }

  function cancelReply() {
    home.after(respond);
    parentInput.value = "";
    title.textContent = "Leave a Reply";
    cancel.hidden = true;
  }

  section.addEventListener("click", (event) => {
    const link = event.target.closest("a.comment-reply-link");
    if (link) {
      event.preventDefault();
      replyTo(link);
    } else if (event.target.closest("#cancel-comment-reply-link")) {
      event.preventDefault();
      cancelReply();
    }
  });
  return { cancelReply };
}
