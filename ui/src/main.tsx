import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { loadApi } from "./api";
import { App } from "./App";
import { applyTheme, savedTheme } from "./lib/theme";
import "./styles/app.css";

applyTheme(savedTheme());

const root = createRoot(document.getElementById("root")!);

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
