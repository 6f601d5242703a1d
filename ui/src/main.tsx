import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { insideTauri, loadApi } from "./api";
import { App } from "./App";
import { applyTheme, savedTheme } from "./lib/theme";
import "./styles/app.css";

applyTheme(savedTheme());

const root = createRoot(document.getElementById("root")!);

if (!insideTauri()) {
  // A plain browser (`npm run dev` on its own) has no engine behind it: every screen shows
  // what the engine computed, so say where the app is instead of showing made-up figures.
  root.render(
    <div className="welcome" data-testid="open-desktop-app">
      <div className="card">
        <h1>Open Comment Finder in its desktop app</h1>
        <p>These screens show what the app's engine works out (scores, estimates, costs), so they only work inside the desktop app.</p>
        <p>
          To try it from the source code, run <code>make run</code> in the project folder. To work on the screens with live reload, run <code>npm run dev</code>{" "}
          here and <code>cargo run -p comment-finder-app --no-default-features</code> in another terminal.
        </p>
      </div>
    </div>,
  );
} else {
  loadApi()
    .then(() => {
      root.render(
        <StrictMode>
          <App />
        </StrictMode>,
      );
    })
    .catch(() => {
      root.render(
        <div className="welcome">
          <div className="card">
            <h1>Comment Finder could not start</h1>
            <p>Restart the app. If it keeps happening, reinstall it.</p>
          </div>
        </div>,
      );
    });
}
