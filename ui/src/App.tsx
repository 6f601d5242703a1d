// Routes. Hash routing, so the app works the same from Tauri's custom protocol, the Vite dev
// server and a plain static preview.

import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useMemo } from "react";
import { createHashRouter, Navigate, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { ProjectProvider } from "./components/ProjectContext";
import { RunProvider } from "./components/RunContext";
import { ToastProvider } from "./components/toast";
import { Loading } from "./components/ui";
import { makeQueryClient, useKeyStatus } from "./lib/queries";
import { ExportScreen } from "./screens/Export";
import { FindPostsScreen } from "./screens/FindPosts";
import { FirstRunScreen, welcomeSkipped } from "./screens/FirstRun";
import { ImportScreen } from "./screens/Import";
import { OpportunitiesScreen } from "./screens/Opportunities";
import { ProjectEditorScreen } from "./screens/ProjectEditor";
import { ProjectsScreen } from "./screens/Projects";
import { RunScreen } from "./screens/Run";
import { SettingsScreen } from "./screens/Settings";

// The charts library is the largest dependency: load it only when Costs is opened.
const CostsScreen = lazy(() => import("./screens/Costs").then((m) => ({ default: m.CostsScreen })));

/** Opens on the first-run screen until a Gemini key is saved (or the person skips it). */
function Home() {
  const keys = useKeyStatus();
  if (keys.isLoading) return <Loading what="Starting" />;
  const gemini = keys.data?.find((k) => k.secret === "gemini");
  if (!gemini?.set && !welcomeSkipped()) return <Navigate to="/welcome" replace />;
  return <Navigate to="/review" replace />;
}

const router = createHashRouter([
  { path: "/welcome", element: <FirstRunScreen /> },
  {
    path: "/",
    element: <Layout />,
    children: [
      { index: true, element: <Home /> },
      { path: "review", element: <OpportunitiesScreen /> },
      { path: "run", element: <RunScreen /> },
      { path: "find", element: <FindPostsScreen /> },
      { path: "import", element: <ImportScreen /> },
      { path: "projects", element: <ProjectsScreen /> },
      { path: "projects/new", element: <ProjectEditorScreen /> },
      { path: "projects/:id", element: <ProjectEditorScreen /> },
      {
        path: "costs",
        element: (
          <Suspense
            fallback={
              <div className="page">
                <Loading what="Loading charts" />
              </div>
            }
          >
            <CostsScreen />
          </Suspense>
        ),
      },
      { path: "export", element: <ExportScreen /> },
      { path: "settings", element: <SettingsScreen /> },
      { path: "*", element: <Navigate to="/" replace /> },
    ],
  },
]);

export function App() {
  const client = useMemo(makeQueryClient, []);
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>
        <ProjectProvider>
          <RunProvider>
            <RouterProvider router={router} />
          </RunProvider>
        </ProjectProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}
