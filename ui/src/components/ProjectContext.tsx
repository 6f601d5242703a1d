// The project the person is working on, shared by Run, Import, Opportunities, Costs and Export.
// Remembered between launches.

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useProjects } from "../lib/queries";
import type { ProjectSummary } from "../api";

const KEY = "comment-finder.project";

interface ProjectChoice {
  projectId: number | null;
  project: ProjectSummary | null;
  projects: ProjectSummary[];
  loading: boolean;
  setProjectId(id: number): void;
}

const Ctx = createContext<ProjectChoice>({ projectId: null, project: null, projects: [], loading: true, setProjectId: () => undefined });

function remembered(): number | null {
  try {
    const v = Number(localStorage.getItem(KEY));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

export function ProjectProvider({ children }: { children: ReactNode }) {
  const projects = useProjects();
  const [chosen, setChosen] = useState<number | null>(remembered);
  const list = useMemo(() => projects.data ?? [], [projects.data]);
  const current = list.find((p) => p.id === chosen) ?? list[0] ?? null;

  useEffect(() => {
    if (current && current.id !== chosen) setChosen(current.id);
  }, [current, chosen]);

  const value = useMemo<ProjectChoice>(
    () => ({
      projectId: current?.id ?? null,
      project: current,
      projects: list,
      loading: projects.isLoading,
      setProjectId: (id) => {
        setChosen(id);
        try {
          localStorage.setItem(KEY, String(id));
        } catch {
          /* private mode: not remembered */
        }
      },
    }),
    [current, list, projects.isLoading],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useCurrentProject(): ProjectChoice {
  return useContext(Ctx);
}
