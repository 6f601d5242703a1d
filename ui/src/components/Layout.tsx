// The window: a sidebar (project, screens, run status) and the current screen.

import { NavLink, Outlet } from "react-router";
import { isBusy, progressPercent } from "../lib/runText";
import { useCurrentProject } from "./ProjectContext";
import { BudgetAlertBanners } from "./RunBanners";
import { useLiveRun } from "./RunContext";
import { IconChart, IconDownload, IconFolder, IconInbox, IconPlay, IconSettings, IconSparkle, IconUpload } from "./icons";

const NAV = [
  { to: "/review", label: "Opportunities", icon: IconInbox, testId: "nav-review" },
  { to: "/run", label: "Run", icon: IconPlay, testId: "nav-run" },
  { to: "/find", label: "Find posts", icon: IconSparkle, testId: "nav-find" },
  { to: "/import", label: "Import posts", icon: IconUpload, testId: "nav-import" },
  { to: "/projects", label: "Projects", icon: IconFolder, testId: "nav-projects" },
  { to: "/costs", label: "Costs", icon: IconChart, testId: "nav-costs" },
  { to: "/export", label: "Export", icon: IconDownload, testId: "nav-export" },
  { to: "/settings", label: "Settings", icon: IconSettings, testId: "nav-settings" },
];

export function Layout() {
  const { projects, projectId, setProjectId } = useCurrentProject();
  const { live } = useLiveRun();
  const running = isBusy(live);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/icon.svg" alt="" />
          Comment Finder
        </div>
        <div className="field">
          <label htmlFor="project-picker" className="small muted">
            Project
          </label>
          <select
            id="project-picker"
            className="select"
            data-testid="project-picker"
            value={projectId ?? ""}
            onChange={(e) => setProjectId(Number(e.target.value))}
            disabled={projects.length === 0}
          >
            {projects.length === 0 ? <option value="">No projects yet</option> : null}
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <nav className="nav" aria-label="Screens">
          {NAV.map(({ to, label, icon: Icon, testId }) => (
            <NavLink key={to} to={to} data-testid={testId} className={({ isActive }) => (isActive ? "active" : "")}>
              <Icon />
              {label}
              {to === "/run" && running && live.progress ? (
                <span className="nav-badge" data-testid="nav-run-percent">
                  {progressPercent(live.progress)}%
                </span>
              ) : null}
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-foot">
          <span>Nothing is posted for you: you post each reply on X yourself.</span>
        </div>
      </aside>
      <main className="main" id="main" tabIndex={-1}>
        <BudgetAlertBanners />
        <Outlet />
      </main>
    </div>
  );
}
