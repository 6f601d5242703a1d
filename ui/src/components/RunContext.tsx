// The run in progress, for the whole window: the shell's typed events are folded into one
// state here, so the Run screen, the sidebar and the Opportunities screen agree, and leaving
// the Run screen never loses progress. No polling: events only.

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api } from "../api";
import { normaliseError } from "../lib/errors";
import { addBudgetAlert, applyRunEvent, autoResumeAt, idleRun, isBusy, resumeDue, type BudgetAlert, type LiveRun } from "../lib/runText";
import { invalidateAfterRun, qk, useRuns } from "../lib/queries";

/** A run set to continue by itself once Google's daily limit resets (while the app stays open). */
export interface ScheduledResume {
  runId: number;
  /** When it will continue (unix seconds): a minute after the reset. */
  at: number;
}

interface RunState {
  live: LiveRun;
  /** Start following a run (after start or resume). */
  watch(runId: number): void;
  /** Forget a finished run's summary. */
  dismiss(): void;
  /** Monthly budget alerts, shown until dismissed. */
  alerts: BudgetAlert[];
  dismissAlert(id: number): void;
  /** The run that will continue by itself when the daily limit resets, if any. */
  scheduled: ScheduledResume | null;
  scheduleResume(runId: number, resetsAt: number): void;
  cancelScheduledResume(): void;
}

const Ctx = createContext<RunState>({
  live: idleRun,
  watch: () => undefined,
  dismiss: () => undefined,
  alerts: [],
  dismissAlert: () => undefined,
  scheduled: null,
  scheduleResume: () => undefined,
  cancelScheduledResume: () => undefined,
});

/** How often a run that was started but sent no event yet is looked up. */
const STARTING_CHECK_MS = 2_000;

/** How often a scheduled resume checks the clock (a timer per check survives the computer sleeping). */
const SCHEDULE_CHECK_MS = 15_000;

export function RunProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [live, setLive] = useState<LiveRun>(idleRun);
  const [alerts, setAlerts] = useState<BudgetAlert[]>([]);
  const [scheduled, setScheduled] = useState<ScheduledResume | null>(null);
  const nextAlertId = useRef(1);
  /** Runs that ended while this window watched: a runs list read before the end must not revive them. */
  const ended = useRef(new Set<number>());
  const liveRef = useRef(live);
  useEffect(() => {
    liveRef.current = live;
  }, [live]);
  const runs = useRuns(null);

  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void api()
      .onRunEvent((event) => {
        setLive((s) => applyRunEvent(s, event));
        if (event.kind === "budget_alert") setAlerts((a) => addBudgetAlert(a, event, nextAlertId.current++));
        if (event.kind === "started") ended.current.delete(event.run_id);
        if (event.kind === "finished") {
          ended.current.add(event.run_id);
          invalidateAfterRun(qc);
        }
        if (event.kind === "progress" && event.done % 25 === 0) void qc.invalidateQueries({ queryKey: ["costs"] });
      })
      .then((unlisten) => {
        if (cancelled) unlisten();
        else stop = unlisten;
        // Half-price runs whose jobs are still at Google (the app was closed, the computer
        // restarted): collect their replies now that their events reach this window.
        if (!cancelled)
          void api()
            .pickUpBatchRuns()
            .catch(() => undefined);
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [qc]);

  // A run already going when the window opens (e.g. after a reload) is followed too.
  const running = runs.data?.find((r) => r.active ?? r.status === "running");
  useEffect(() => {
    if (running && live.runId == null && !ended.current.has(running.run_id)) {
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
    // Continuing a run by hand replaces its scheduled resume.
    setScheduled((sch) => (sch?.runId === runId ? null : sch));
  }, []);
  const dismiss = useCallback(() => setLive(idleRun), []);

  // A run can end before the window starts watching it (a resume that stops at once at a
  // budget): its events went by. While a watched run shows no sign of life, ask how it is.
  useEffect(() => {
    if (live.phase !== "starting" || live.runId == null) return;
    const runId = live.runId;
    const timer = setInterval(() => {
      void api()
        .runSummary(runId)
        .then((summary) => {
          if (summary.status === "running") return;
          setLive((s) => (s.runId === runId && s.phase === "starting" ? applyRunEvent(s, { kind: "finished", ...summary }) : s));
        })
        .catch(() => undefined);
    }, STARTING_CHECK_MS);
    return () => clearInterval(timer);
  }, [live.phase, live.runId]);
  const dismissAlert = useCallback((id: number) => setAlerts((a) => a.filter((x) => x.id !== id)), []);
  const scheduleResume = useCallback((runId: number, resetsAt: number) => setScheduled({ runId, at: autoResumeAt(resetsAt) }), []);
  const cancelScheduledResume = useCallback(() => setScheduled(null), []);

  // The scheduled resume: checks the clock now and then, and waits for another run to end first.
  useEffect(() => {
    if (!scheduled) return;
    let firing = false;
    const check = () => {
      if (firing || !resumeDue(scheduled.at, Date.now())) return;
      const now = liveRef.current;
      if (isBusy(now)) {
        // Already going again (resumed by hand): nothing left to schedule.
        if (now.runId === scheduled.runId) setScheduled(null);
        return;
      }
      firing = true;
      setScheduled(null);
      setLive({ ...idleRun, phase: "starting", runId: scheduled.runId });
      api()
        .resumeRun(scheduled.runId, null)
        .then(() => void qc.invalidateQueries({ queryKey: qk.runsAll }))
        .catch((e: unknown) => {
          const error = normaliseError(e);
          setLive((s) => (s.runId === scheduled.runId && s.phase === "starting" ? { ...s, phase: "failed", error } : s));
        });
    };
    check();
    const timer = setInterval(check, SCHEDULE_CHECK_MS);
    return () => clearInterval(timer);
  }, [scheduled, qc]);

  const value = useMemo(
    () => ({ live, watch, dismiss, alerts, dismissAlert, scheduled, scheduleResume, cancelScheduledResume }),
    [live, watch, dismiss, alerts, dismissAlert, scheduled, scheduleResume, cancelScheduledResume],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useLiveRun(): RunState {
  return useContext(Ctx);
}
