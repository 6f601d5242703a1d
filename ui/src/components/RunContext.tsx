// The run in progress, for the whole window: the shell's typed events are folded into one
// state here, so the Run screen, the sidebar and the Opportunities screen agree, and leaving
// the Run screen never loses progress. No polling: events only.

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api } from "../api";
import { applyRunEvent, idleRun, type LiveRun } from "../lib/runText";
import { invalidateAfterRun, useRuns } from "../lib/queries";

interface RunState {
  live: LiveRun;
  /** Start following a run (after start or resume). */
  watch(runId: number): void;
  /** Forget a finished run's summary. */
  dismiss(): void;
}

const Ctx = createContext<RunState>({ live: idleRun, watch: () => undefined, dismiss: () => undefined });

export function RunProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [live, setLive] = useState<LiveRun>(idleRun);
  const runs = useRuns(null);

  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void api()
      .onRunEvent((event) => {
        setLive((s) => applyRunEvent(s, event));
        if (event.kind === "finished") invalidateAfterRun(qc);
        if (event.kind === "progress" && event.done % 25 === 0) void qc.invalidateQueries({ queryKey: ["costs"] });
      })
      .then((unlisten) => {
        if (cancelled) unlisten();
        else stop = unlisten;
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [qc]);

  // A run already going when the window opens (e.g. after a reload) is followed too.
  const running = runs.data?.find((r) => r.active ?? r.status === "running");
  useEffect(() => {
    if (running && live.runId == null) {
      setLive({
        ...idleRun,
        phase: "running",
        runId: running.run_id,
        progress: {
          run_id: running.run_id,
          total: running.posts,
          done: running.done,
          failed: running.failed,
          requests: 0,
          retries: 0,
          requests_per_minute: 0,
          cost_picos: running.cost_picos,
          eta_s: null,
        },
      });
    }
  }, [running, live.runId]);

  const watch = useCallback((runId: number) => {
    setLive((s) => (s.runId === runId && s.phase !== "finished" ? s : { ...idleRun, phase: "starting", runId }));
  }, []);
  const dismiss = useCallback(() => setLive(idleRun), []);
  const value = useMemo(() => ({ live, watch, dismiss }), [live, watch, dismiss]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useLiveRun(): RunState {
  return useContext(Ctx);
}
