// The one module that talks to the network.

export async function postForm(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { error: { code: "invalid", message: "Your comment could not be posted. Please try again." } };
  }
  return { ok: response.ok, status: response.status, data };
}

export async function postLike(form, value) {
  const body = new FormData();
  body.set("value", value);
  const response = await fetch(form.action, {
    method: "POST",
    body,
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { error: { code: "invalid", message: "Your like could not be sent. Please try again." } };
  }
  return { ok: response.ok, status: response.status, data };
}

// A small JSON document, revalidated with the ETag of the copy already held.
export async function getState(url, etag) {
  const headers = { Accept: "application/json" };
  if (etag) headers["If-None-Match"] = etag;
  const response = await fetch(url, { headers, credentials: "same-origin" });
  if (response.status !== 200) return { status: response.status, data: null, etag };
  return { status: 200, data: await response.json(), etag: response.headers.get("ETag") };
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
}

// A page of the site, parsed, to take a part of it.
export async function getDocument(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status}`);
  return new DOMParser().parseFromString(await response.text(), "text/html");
}
