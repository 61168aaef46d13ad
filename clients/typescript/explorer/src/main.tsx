/**
 * The eventdata explorer: search, a timeline, a map and lists of events, each
 * event with its claims, denials and sources; built on the typed client
 * (clients/typescript/src) and served by the API at /explore.
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { api, storeToken, storedToken, type Vocabularies } from "./api.js";
import { EventPage } from "./event-page.js";
import { VocabulariesContext } from "./kinds.js";
import { Overview } from "./overview.js";
import { ActorPage, LocationPage } from "./records.js";
import { followLinksInPage, useRoute, type Route } from "./route.js";
import { Search } from "./search.js";

function TokenPanel() {
  const [token, setToken] = useState(storedToken());
  const [message, setMessage] = useState("");
  return (
    <details class="token-panel">
      <summary>{token === null ? "Token for edits" : "Editing with a token"}</summary>
      <form
        onSubmit={async (submit) => {
          submit.preventDefault();
          const given = new FormData(submit.currentTarget).get("token");
          const value = typeof given === "string" ? given.trim() : "";
          storeToken(value);
          setToken(storedToken());
          setMessage(value === "" ? "Forgotten." : "Kept for this tab; edits are sent with it.");
          window.dispatchEvent(new CustomEvent("explorer:token"));
          if (value !== "") submit.currentTarget.closest("details")?.removeAttribute("open");
        }}
      >
        <label for="token-input">API token</label>
        <input id="token-input" name="token" type="password" autocomplete="off" aria-describedby="token-hint" defaultValue={token ?? ""} />
        <p id="token-hint" class="hint">
          make run prints one; <code>flask --app api tokens create NAME</code> makes others.
        </p>
        <button type="submit">Use this token</button>
        {token !== null ? (
          <button
            type="button"
            onClick={() => {
              storeToken(null);
              setToken(null);
              setMessage("Forgotten.");
              window.dispatchEvent(new CustomEvent("explorer:token"));
            }}
          >
            Forget it
          </button>
        ) : null}
        <p role="status" class="hint">
          {message}
        </p>
      </form>
    </details>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "event":
      return <EventPage id={route.id} key={route.id} />;
    case "actor":
      return <ActorPage id={route.id} key={route.id} />;
    case "location":
      return <LocationPage id={route.id} key={route.id} />;
    case "overview":
      return <Overview view={route.view} />;
  }
}

function App() {
  const route = useRoute();
  const [vocabularies, setVocabularies] = useState<Vocabularies | null>(null);
  const [, setTokenChanges] = useState(0);
  useEffect(() => {
    api()
      .GET("/v1/vocabularies")
      .then(({ data }) => setVocabularies(data ?? null));
    const changed = () => setTokenChanges((count) => count + 1);
    window.addEventListener("explorer:token", changed);
    return () => window.removeEventListener("explorer:token", changed);
  }, []);
  // A page opened from a link starts at its top, with the focus on its content
  // (the first page loaded starts where a browser starts: at the skip link).
  const opened = useRef(false);
  useEffect(() => {
    if (!opened.current) {
      opened.current = true;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [route.page, route.page === "overview" ? "" : route.id]);

  return (
    <VocabulariesContext.Provider value={vocabularies}>
      <a class="skip-link" href="#main">
        Skip to the content
      </a>
      <header class="site-header">
        <p class="site-name">
          <a href="/explore">eventdata explorer</a>
        </p>
        <Search />
        <TokenPanel />
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
      <footer class="site-footer">
        <p>
          The data and its sources come from this API (<a href="/docs">/docs</a>). Country outlines: Natural Earth, public
          domain. {vocabularies?.attribution ?? ""}
        </p>
      </footer>
    </VocabulariesContext.Provider>
  );
}

const root = document.getElementById("explorer");
if (root !== null) {
  root.replaceChildren();
  followLinksInPage(root);
  render(<App />, root);
}
