// Banners for a run that stopped on purpose and can go on: at its budget (raise it and
// continue), or at Google's daily limit (continue when it resets). And the monthly budget
// alerts, which stay until dismissed.

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { RunListing } from "../api";
import { formatClock } from "../lib/format";
import { useResumeRun, useRunSummary } from "../lib/queries";
import { api } from "../api";
import { BUDGET_SENTENCE, QUOTA_SENTENCE, resetTimeText, runSoFarSentence } from "../lib/runText";
import { useLiveRun } from "./RunContext";
import { Button, ErrorNotice, Notice } from "./ui";
import { IconPlay, IconRefresh, IconX } from "./icons";

/** "Raise this run's budget to $[ ] and continue", under the engine's sentence. */
export function BudgetReachedBanner({
  runId,
  sentence,
  spentPicos,
  capPicos,
  stopped = true,
}: {
  runId: number;
  sentence: string;
  spentPicos: number;
  capPicos: number | null;
  /** False while the run is still finishing the requests already sent. */
  stopped?: boolean;
}) {
  const resume = useResumeRun();
  const { watch } = useLiveRun();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  // The engine's suggestion (twice the old budget), unless the person already typed one.
  const typed = useRef(false);
  useEffect(() => {
    let current = true;
    api()
      .suggestRaisedBudget(capPicos, spentPicos)
      .then((suggested) => current && !typed.current && setText(suggested))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [capPicos, spentPicos]);
  const inputId = useId();
  const problemId = useId();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    // The engine reads the amount and checks it is above what the run has spent.
    void api()
      .readBudget(text, spentPicos)
      .then(
        (reading) => {
          if (reading.picos == null) {
            setProblem(reading.problem);
            return;
          }
          setProblem(null);
          resume.mutate({ runId, budgetPicos: reading.picos }, { onSuccess: (id) => watch(id) });
        },
        (err: { message?: string }) => setProblem(err.message ?? null),
      );
  };

  return (
    <Notice kind="warn" title="Stopped at the budget." testId="budget-reached-banner">
      <span data-testid="budget-reached-sentence">{sentence}</span>
      {stopped ? (
        <form className="stack tight" onSubmit={onSubmit} noValidate>
          <div className="row tight">
            <label htmlFor={inputId}>Raise this run's budget to</label>
            <span aria-hidden="true">$</span>
            <input
              id={inputId}
              className="input short"
              inputMode="decimal"
              autoComplete="off"
              value={text}
              onChange={(e) => {
                typed.current = true;
                setText(e.target.value);
                setProblem(null);
              }}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? problemId : undefined}
              data-testid="raise-budget-input"
            />
            <Button
              type="submit"
              variant="primary"
              icon={<IconPlay />}
              busy={resume.isPending}
              aria-label="Raise the budget and continue"
              data-testid="raise-budget-resume"
            >
              and continue
            </Button>
          </div>
          {problem ? (
            <span className="field-error small" role="alert" id={problemId} data-testid="raise-budget-error">
              {problem}
            </span>
          ) : (
            <span className="muted small">The budget is for the whole run, including what it has already spent. Nothing finished is paid for twice.</span>
          )}
        </form>
      ) : (
        <span className="muted small">The run is finishing the requests already sent. You can raise the budget as soon as it has stopped.</span>
      )}
      <ErrorNotice error={resume.error} testId="raise-budget-resume-error" />
    </Notice>
  );
}

/** Google's daily allowance is used up: when it resets, and continuing then (or now). */
export function DailyQuotaBanner({
  runId,
  sentence,
  resetsAt,
  stopped = true,
}: {
  runId: number;
  sentence: string;
  /** Unix seconds, when known. */
  resetsAt: number | null;
  stopped?: boolean;
}) {
  const resume = useResumeRun();
  const { watch, scheduled, scheduleResume, cancelScheduledResume } = useLiveRun();
  const mine = scheduled?.runId === runId ? scheduled : null;
  return (
    <Notice kind="warn" title="Waiting for Google's daily limit." testId="daily-quota-banner">
      <span data-testid="daily-quota-sentence">{sentence}</span>
      {resetsAt != null ? <strong data-testid="daily-quota-resets">{resetTimeText(resetsAt)}</strong> : null}
      {!stopped ? <span className="muted small">The run is finishing the requests already sent, then it stops. Nothing is lost.</span> : null}
      {stopped && mine ? (
        <div className="row tight" data-testid="resume-scheduled">
          <span>Scheduled: the run continues by itself at {formatClock(mine.at)} as long as the app stays open.</span>
          <Button size="sm" variant="ghost" icon={<IconX />} onClick={cancelScheduledResume} data-testid="resume-schedule-cancel">
            Cancel the schedule
          </Button>
        </div>
      ) : null}
      {stopped ? (
        <div className="row">
          {resetsAt != null && !mine ? (
            <Button icon={<IconRefresh />} onClick={() => scheduleResume(runId, resetsAt)} data-testid="resume-when-reset">
              Continue automatically when it resets
            </Button>
          ) : null}
          <Button
            variant={mine ? "secondary" : "ghost"}
            icon={<IconPlay />}
            busy={resume.isPending}
            onClick={() => resume.mutate({ runId }, { onSuccess: (id) => watch(id) })}
            data-testid="resume-now"
          >
            Continue now
          </Button>
        </div>
      ) : null}
      <ErrorNotice error={resume.error} testId="resume-now-error" />
    </Notice>
  );
}

/** The right banner for a listed run that stopped at its budget or at the daily limit. */
export function StoppedRunBanner({ run }: { run: RunListing }) {
  const summary = useRunSummary(run.run_id);
  const s = summary.data;
  if (summary.error) return <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} />;
  if (!s) return null;
  const when = runSoFarSentence(run);
  if (s.status === "budget_reached")
    return <BudgetReachedBanner runId={run.run_id} sentence={`${s.error || BUDGET_SENTENCE} ${when}`} spentPicos={s.cost_picos} capPicos={null} />;
  if (s.status === "waiting_for_quota") return <DailyQuotaBanner runId={run.run_id} sentence={`${s.error || QUOTA_SENTENCE} ${when}`} resetsAt={s.resume_at} />;
  return null;
}

/** Monthly budget alerts from runs, until dismissed (shown above every screen). */
export function BudgetAlertBanners() {
  const { alerts, dismissAlert } = useLiveRun();
  if (alerts.length === 0) return null;
  return (
    <div className="page-alerts">
      {alerts.map((a) => (
        <Notice
          key={a.id}
          kind="warn"
          title={a.monthly ? "Monthly budget" : "Budget"}
          testId="budget-alert-banner"
          action={
            <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => dismissAlert(a.id)} data-testid="budget-alert-dismiss">
              Dismiss
            </Button>
          }
        >
          <span>{a.sentence}</span>
        </Notice>
      ))}
    </div>
  );
}
