// Run: pick which posts, see the estimate, start; watch live progress; stop and resume.

import { Fragment, useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import type { Label, RunListing, RunMode, RunSettings } from "../api";
import { useCurrentProject } from "../components/ProjectContext";
import { useLiveRun } from "../components/RunContext";
import { useToast } from "../components/toast";
import { BudgetReachedBanner, DailyQuotaBanner, StoppedRunBanner } from "../components/RunBanners";
import {
  Button,
  Card,
  Checkbox,
  EmptyState,
  ErrorNotice,
  Field,
  Fold,
  Loading,
  Notice,
  NumberInput,
  PageHeader,
  ProgressBar,
  Spinner,
  Stat,
} from "../components/ui";
import { IconFolder, IconInbox, IconPlay, IconRefresh, IconStop } from "../components/icons";
import { formatDateTime, formatDuration, formatEta, formatInt, formatPerMinute, plural } from "../lib/format";
import { useMoney } from "../lib/money";
import { api } from "../api";
import { useDebounced } from "../lib/hooks";
import {
  useBudgetReading,
  useCancelRun,
  useCheckBatchNow,
  useForecast,
  useKeyStatus,
  useModels,
  useResumeRun,
  useRunDefaults,
  useRuns,
  useStartRun,
} from "../lib/queries";
import { BUDGET_SENTENCE, canResume, isBusy, progressPercent, runSoFarSentence, runStatusTone, runStatusWords, summaryHeadline } from "../lib/runText";
import { GLOSSARY, termTitle } from "../lib/glossary";

function LiveRunCard() {
  const { live, dismiss } = useLiveRun();
  const navigate = useNavigate();
  const money = useMoney([live.progress?.cost_picos]);
  if (live.phase === "idle" || live.runId == null) return null;

  if (live.phase === "failed") {
    // A run stopped by its budget before it wrote anything (while planning) can go on with a bigger one.
    const budgetFailure = live.error?.code === "budget_reached";
    return (
      <Card title="The run stopped because of a problem." lead="Replies already written are kept." testId="run-failed-card">
        {budgetFailure ? (
          <BudgetReachedBanner
            runId={live.runId}
            sentence={live.error?.message || BUDGET_SENTENCE}
            spentPicos={live.progress?.cost_picos ?? 0}
            capPicos={null}
          />
        ) : (
          <ErrorNotice error={live.error ?? { code: "run_failed", message: "" }} testId="run-error" />
        )}
        <div className="row">
          {live.runId != null && !budgetFailure ? <ResumeButton runId={live.runId} /> : null}
          <Button variant="ghost" onClick={dismiss}>
            Back to the run settings
          </Button>
        </div>
      </Card>
    );
  }

  if (live.phase === "finished" && live.summary) {
    const s = live.summary;
    // Stopped on purpose (budget, Google's daily limit): its banner says why and how to go on.
    const stoppedOnPurpose = live.budgetStop != null || live.dailyQuota != null;
    return (
      <Card title={live.budgetStop ? "Stopped at your budget." : summaryHeadline(s)} testId="run-finished">
        <div className="row between">
          <p className="post-text" data-testid="run-summary">
            {s.sentence}
          </p>
          <strong className="nowrap" data-testid="run-percent">
            {live.progress ? progressPercent(live.progress) : 100}%
          </strong>
        </div>
        <ProgressBar percent={live.progress ? progressPercent(live.progress) : 100} state="done" label="Run progress" testId="run-progress" />
        {s.forecast_note ? (
          <p className="muted small" data-testid="run-forecast-note">
            {s.forecast_note}
          </p>
        ) : null}
        {live.budgetStop ? (
          <BudgetReachedBanner
            runId={s.run_id}
            sentence={live.budgetStop.sentence}
            spentPicos={Math.max(live.budgetStop.costPicos, s.cost_picos)}
            capPicos={live.budgetStop.capPicos}
          />
        ) : null}
        {live.dailyQuota ? <DailyQuotaBanner runId={s.run_id} sentence={live.dailyQuota.sentence} resetsAt={live.dailyQuota.resetsAt} /> : null}
        {s.error && !stoppedOnPurpose ? <ErrorNotice error={{ code: "run_failed", message: s.error }} /> : null}
        <div className="row">
          <Button variant="primary" icon={<IconInbox />} onClick={() => navigate("/review")} data-testid="run-review">
            Review the replies
          </Button>
          {canResume(s.status) && !stoppedOnPurpose && s.mode === "batch" ? (
            <>
              <ResumeButton runId={s.run_id} mode="batch" label="Try them again at half price" testId="run-follow-up-batch" />
              <ResumeButton runId={s.run_id} mode="standard" label="Send them now" testId="run-follow-up-now" />
            </>
          ) : canResume(s.status) && !stoppedOnPurpose ? (
            <ResumeButton runId={s.run_id} />
          ) : null}
          <Button variant="ghost" onClick={dismiss} data-testid="run-another">
            Start another run
          </Button>
        </div>
      </Card>
    );
  }

  const p = live.progress;
  const percent = p ? progressPercent(p) : 0;
  if (live.batch && live.phase !== "paused") {
    return <BatchRunCard />;
  }
  return (
    <Card
      title={live.phase === "starting" || !p ? "Starting the run…" : live.phase === "paused" ? "Paused for a moment" : "Writing reply drafts…"}
      lead={
        live.budgetReached
          ? "The run reached your budget: it is finishing the requests already sent, then stops."
          : live.dailyQuota
            ? "Google's daily limit is used up: the run is finishing the requests already sent, then stops."
            : live.phase === "paused" && live.pausedFor != null
              ? `Gemini asked us to slow down. Continuing in about ${formatDuration(live.pausedFor)}; nothing is lost.`
              : "You can leave this screen: the run keeps going."
      }
      testId="run-live"
      actions={<StopRunButton runId={live.runId} stopping="Stopping. Replies already written are kept." />}
    >
      <div className="row between">
        <strong className="nowrap" style={{ fontSize: 28 }} data-testid="run-percent">
          {percent}%
        </strong>
        <span className="muted">{p ? formatEta(p.eta_s) : <Spinner />}</span>
      </div>
      <ProgressBar percent={percent} state={live.phase === "paused" ? "paused" : "running"} label="Run progress" testId="run-progress" />
      {p ? (
        <div className="grid-4">
          <Stat label={`of ${formatInt(p.total)} posts done`} value={formatInt(p.done)} testId="run-done" />
          <Stat label="failed" value={formatInt(p.failed)} testId="run-failed" />
          <Stat label="requests" value={formatPerMinute(p.requests_per_minute)} testId="run-rate" />
          <Stat label="spent so far" value={money.text(p.cost_picos)} testId="run-cost" />
        </div>
      ) : null}
      {p && p.retries > 0 ? <p className="muted small">{formatInt(p.retries)} requests were tried again after a hiccup.</p> : null}
      {live.budgetStop ? (
        <BudgetReachedBanner
          runId={live.runId}
          sentence={live.budgetStop.sentence}
          spentPicos={live.budgetStop.costPicos}
          capPicos={live.budgetStop.capPicos}
          stopped={false}
        />
      ) : null}
      {live.dailyQuota ? <DailyQuotaBanner runId={live.runId} sentence={live.dailyQuota.sentence} resetsAt={live.dailyQuota.resetsAt} stopped={false} /> : null}
    </Card>
  );
}

function StopRunButton({ runId, stopping }: { runId: number; stopping: string }) {
  const cancel = useCancelRun();
  const toast = useToast();
  return (
    <Button
      variant="danger"
      icon={<IconStop />}
      busy={cancel.isPending}
      data-testid="run-cancel"
      onClick={() => cancel.mutate(runId, { onSuccess: () => toast.ok(stopping), onError: (e) => toast.error(e) })}
    >
      Stop
    </Button>
  );
}

/** A half-price run while Google works on it: where its jobs are, a check-now button, Stop. */
function BatchRunCard() {
  const { live } = useLiveRun();
  const check = useCheckBatchNow();
  const toast = useToast();
  const b = live.batch;
  if (!b || live.runId == null) return null;
  const percent = b.requests > 0 ? Math.round((100 * b.answered) / b.requests) : 0;
  return (
    <Card
      title={b.phase === "running" ? "Google is writing your replies (half price)…" : "Waiting for Google (half price)…"}
      lead="Usually done within a few hours. You can close the app: the replies are collected the next time it opens."
      testId="run-batch"
      actions={
        <div className="row tight">
          <Button
            busy={check.isPending}
            icon={<IconRefresh />}
            data-testid="run-batch-check"
            onClick={() => check.mutate(live.runId!, { onError: (e) => toast.error(e) })}
          >
            Check now
          </Button>
          <StopRunButton runId={live.runId} stopping="Stopping: the job is cancelled at Google. Replies already written are kept." />
        </div>
      }
    >
      <p className="post-text" data-testid="run-batch-status" aria-live="polite">
        {b.sentence}
      </p>
      <ProgressBar percent={percent} state="running" label="Answers received" testId="run-progress" />
    </Card>
  );
}

function ResumeButton({
  runId,
  label = "Resume",
  mode = null,
  testId = "run-resume",
}: {
  runId: number;
  label?: string;
  mode?: RunMode | null;
  testId?: string;
}) {
  const resume = useResumeRun();
  const { watch } = useLiveRun();
  const toast = useToast();
  return (
    <Button
      icon={<IconRefresh />}
      busy={resume.isPending}
      data-testid={testId}
      onClick={() =>
        resume.mutate(
          { runId, mode },
          {
            onSuccess: (id) => watch(id),
            onError: (e) => toast.error(e),
          },
        )
      }
    >
      {label}
    </Button>
  );
}

/** `bannerRunId`: the stopped run whose banner already shows above the table (its controls are there). */
function RunsTable({ runs, bannerRunId }: { runs: RunListing[]; bannerRunId: number | null }) {
  const { live } = useLiveRun();
  // The run whose "Raise the budget" form is open under its row.
  const [raising, setRaising] = useState<number | null>(null);
  const money = useMoney(runs.map((r) => r.cost_picos));
  // The run card above already shows the banner of a run that just stopped on purpose.
  const liveBannerRunId = live.phase === "finished" && (live.budgetStop || live.dailyQuota) ? live.runId : null;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th>Started</th>
            <th>Status</th>
            <th className="num">Posts done</th>
            <th className="num">Failed</th>
            <th className="num">Cost</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((listed) => {
            // The run in progress shows its live numbers, not the ones from when the list was read.
            const p = live.progress;
            const r =
              p && listed.run_id === live.runId && listed.status === "running"
                ? { ...listed, done: p.done, failed: p.failed, posts: p.total, cost_picos: p.cost_picos }
                : listed;
            const resumable = canResume(r.status) && !isBusy(live) && r.done + r.failed < r.posts && r.run_id !== bannerRunId && r.run_id !== liveBannerRunId;
            return (
              <Fragment key={r.run_id}>
                <tr>
                  <td className="nowrap">{formatDateTime(r.created_at)}</td>
                  <td>
                    <span className={`pill ${runStatusTone(r.status)}`} data-testid="run-status">
                      {runStatusWords(r.status)}
                    </span>
                    {r.batch ? (
                      <span className="muted small" data-testid="run-batch-state">
                        {" "}
                        Half price · {r.batch.headline}
                      </span>
                    ) : null}
                  </td>
                  <td className="num">
                    {formatInt(r.done)} / {formatInt(r.posts)}
                  </td>
                  <td className="num">{formatInt(r.failed)}</td>
                  <td className="num">{money.text(r.cost_picos)}</td>
                  <td className="num">
                    {resumable && r.status === "budget_reached" ? (
                      <Button
                        icon={<IconRefresh />}
                        aria-expanded={raising === r.run_id}
                        onClick={() => setRaising(raising === r.run_id ? null : r.run_id)}
                        data-testid="run-raise-budget"
                      >
                        Raise budget…
                      </Button>
                    ) : resumable ? (
                      <ResumeButton runId={r.run_id} />
                    ) : null}
                  </td>
                </tr>
                {resumable && raising === r.run_id ? (
                  <tr>
                    <td colSpan={6}>
                      <StoppedRunBanner run={r} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const LABEL_CHOICES: Array<{ label: Label; text: string }> = [
  { label: "green", text: "Green (reply now)" },
  { label: "yellow", text: "Yellow (worth a look)" },
  { label: "red", text: "Red (low priority)" },
];

export function RunScreen() {
  const { project, projectId } = useCurrentProject();
  const defaults = useRunDefaults(projectId);
  const runs = useRuns(projectId);
  const keys = useKeyStatus();
  const models = useModels();
  const start = useStartRun();
  const { live, watch } = useLiveRun();
  const [settings, setSettings] = useState<RunSettings | null>(null);
  const [budgetOn, setBudgetOn] = useState(false);
  const [budgetText, setBudgetText] = useState("0.50");
  const navigate = useNavigate();

  useEffect(() => {
    if (defaults.data) setSettings(structuredClone(defaults.data));
  }, [defaults.data]);

  // Every field holds a number (an emptied box holds none); the engine checks the rest and
  // says what to fix as the forecast's error (RunSettings::validate, the one validation).
  const filled =
    settings != null &&
    [settings.hours_back, settings.min_followers, settings.min_likes, settings.max_candidates, settings.batch_size, settings.per_request].every((n) =>
      Number.isFinite(n),
    );
  // The engine reads the budget typed; the forecast says when the estimate is above it.
  const budget = useBudgetReading(budgetOn ? budgetText : null);
  const budgetPicos = budgetOn ? (budget.data?.picos ?? null) : null;
  const debounced = useDebounced(filled ? { settings, budgetPicos } : null, 350);
  const forecast = useForecast(projectId, debounced?.settings ?? null, debounced?.budgetPicos ?? null);
  // The estimate shown is for the settings on screen; an engine refusal shows instead of it.
  const valid = filled && forecast.error == null;
  const text = forecast.data && !forecast.isError ? forecast.data.text : null;
  const geminiSet = keys.data?.find((k) => k.secret === "gemini")?.set ?? true;
  const busy = isBusy(live);
  const showSettings = !busy && live.phase !== "finished" && live.phase !== "failed";
  const interrupted = (runs.data ?? []).filter((r) => canResume(r.status) && r.done + r.failed < r.posts && r.run_id !== live.runId);
  // The latest resumable run stopped at its budget or at Google's daily limit gets its banner above.
  const latest = interrupted[0];
  const stoppedOnPurpose = latest && (latest.status === "budget_reached" || latest.status === "waiting_for_quota") ? latest : null;

  if (projectId == null) {
    return (
      <div className="page">
        <PageHeader title="Run" />
        <Card>
          <EmptyState
            icon={<IconFolder />}
            title="Create a project first"
            action={
              <Button variant="primary" onClick={() => navigate("/projects/new")}>
                New project
              </Button>
            }
          >
            A run finds the best posts in a project and writes reply drafts for them.
          </EmptyState>
        </Card>
      </div>
    );
  }

  const set = (patch: Partial<RunSettings>) => settings && setSettings({ ...settings, ...patch });
  const toggleLabel = (l: Label, on: boolean) =>
    settings && set({ labels: on ? [...settings.labels, l].filter((x, i, a) => a.indexOf(x) === i) : settings.labels.filter((x) => x !== l) });
  const budgetInvalid = budgetOn && budget.data != null && budget.data.picos == null;

  const onStart = async () => {
    if (!settings || projectId == null) return;
    // The budget as typed right now, read by the engine (the reading above may lag a keystroke).
    let cap: number | null = null;
    if (budgetOn) {
      const reading = await api()
        .readBudget(budgetText, null)
        .catch(() => null);
      if (reading?.picos == null) return;
      cap = reading.picos;
    }
    start.mutate({ projectId, settings, budgetPicos: cap }, { onSuccess: (runId) => watch(runId) });
  };

  return (
    <div className="page">
      <PageHeader
        title="Run"
        lead={
          <>
            Find the posts in <strong>{project?.name}</strong> worth replying to, and write reply drafts for them.
          </>
        }
      />

      <LiveRunCard />

      {!busy && stoppedOnPurpose ? (
        <StoppedRunBanner run={stoppedOnPurpose} />
      ) : !busy && interrupted.length > 0 ? (
        <Notice kind="warn" title="A run was interrupted." action={<ResumeButton runId={interrupted[0]!.run_id} label="Resume run" />}>
          {runSoFarSentence(interrupted[0]!)} Resume it to do the rest; nothing already written is paid for twice.
        </Notice>
      ) : null}

      {!geminiSet ? (
        <Notice
          kind="warn"
          title="Add your Gemini key to start a run."
          action={
            <Link to="/settings" className="btn sm">
              Open Settings
            </Link>
          }
        >
          You can still look at the estimate below.
        </Notice>
      ) : null}

      {showSettings ? (
        settings == null ? (
          <Loading what="Loading run settings" />
        ) : (
          <div className="grid-2" style={{ alignItems: "start" }}>
            <Card title="Which posts">
              <div className="grid-2">
                <Field label="Posted in the last" hint="hours" htmlFor="r-hours">
                  <NumberInput id="r-hours" value={settings.hours_back} min={1} onChange={(hours_back) => set({ hours_back })} testId="run-hours" />
                </Field>
                <Field label="At most" hint="posts, best first" htmlFor="r-max">
                  <NumberInput
                    id="r-max"
                    value={settings.max_candidates}
                    min={1}
                    onChange={(max_candidates) => set({ max_candidates })}
                    testId="run-max-posts"
                  />
                </Field>
                <Field label="Author has at least" hint="followers" htmlFor="r-foll">
                  <NumberInput
                    id="r-foll"
                    value={settings.min_followers}
                    min={0}
                    step={100}
                    onChange={(min_followers) => set({ min_followers })}
                    testId="run-min-followers"
                  />
                </Field>
                <Field label="Post has at least" hint="likes" htmlFor="r-likes">
                  <NumberInput id="r-likes" value={settings.min_likes} min={0} onChange={(min_likes) => set({ min_likes })} />
                </Field>
              </div>
              <Field label="Write replies for">
                <div className="row">
                  {LABEL_CHOICES.map((c) => (
                    <Checkbox
                      key={c.label}
                      checked={settings.labels.includes(c.label)}
                      onChange={(on) => toggleLabel(c.label, on)}
                      testId={`run-label-${c.label}`}
                    >
                      {c.text}
                    </Checkbox>
                  ))}
                </div>
              </Field>
            </Card>

            <Card title="Speed and cost">
              <div className="grid-2">
                <Field label={<span title={termTitle("speed")}>{GLOSSARY.speed.words}</span>} hint={GLOSSARY.speed.explain} htmlFor="r-batch">
                  <NumberInput
                    id="r-batch"
                    value={settings.batch_size}
                    min={1}
                    max={50}
                    onChange={(batch_size) => set({ batch_size })}
                    testId="run-batch-size"
                  />
                </Field>
                <Field label={<span title={termTitle("perCall")}>{GLOSSARY.perCall.words}</span>} hint={GLOSSARY.perCall.explain} htmlFor="r-per">
                  <NumberInput
                    id="r-per"
                    value={settings.per_request}
                    min={1}
                    max={20}
                    onChange={(per_request) => set({ per_request })}
                    testId="run-per-request"
                  />
                </Field>
              </div>
              <Field label="Model" htmlFor="r-model">
                <select id="r-model" className="select" value={settings.model} onChange={(e) => set({ model: e.target.value })} data-testid="run-model">
                  {[...new Set([settings.model, ...(models.data ?? [])])].map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </Field>
              <div className="stack tight">
                <Checkbox checked={budgetOn} onChange={setBudgetOn} testId="run-budget-on">
                  Stop if this run would cost more than
                </Checkbox>
                {budgetOn ? (
                  <div className="row tight">
                    <span>$</span>
                    <input
                      className="input short"
                      inputMode="decimal"
                      value={budgetText}
                      onChange={(e) => setBudgetText(e.target.value)}
                      aria-label="Budget in dollars"
                      aria-invalid={budgetInvalid || undefined}
                      data-testid="run-budget"
                    />
                    {budgetInvalid ? <span className="field-error small">{budget.data?.problem}</span> : null}
                  </div>
                ) : null}
              </div>
              <Fold title="Advanced">
                <Checkbox checked={settings.gate} onChange={(gate) => set({ gate })}>
                  Leave out posts that should never cost anything (spam, reposts, replies turned off, authors and words you avoid)
                </Checkbox>
                <Checkbox checked={settings.embeddings} onChange={(embeddings) => set({ embeddings })}>
                  <span title={termTitle("topicMatching")}>
                    {GLOSSARY.topicMatching.words}: {GLOSSARY.topicMatching.explain.toLowerCase()}
                  </span>
                </Checkbox>
                <Field label="Tries per post before it counts as failed" htmlFor="r-attempts">
                  <NumberInput
                    id="r-attempts"
                    className="short"
                    value={settings.max_attempts}
                    min={1}
                    max={10}
                    onChange={(max_attempts) => set({ max_attempts })}
                  />
                </Field>
                <p className="muted small">
                  Limits in use: {formatInt(settings.limits.rpm)} AI calls a minute
                  {settings.limits.rpd != null ? `, ${formatInt(settings.limits.rpd)} a day` : ""}
                  {settings.limits.tpm != null ? `, ${formatInt(settings.limits.tpm)} input tokens (text the AI reads) a minute` : ""}. Change them in Settings.
                </p>
              </Fold>
            </Card>
          </div>
        )
      ) : null}

      {showSettings && settings ? (
        <Card title="Before you start" testId="run-forecast">
          {forecast.isLoading || (!forecast.data && valid) ? <Loading what="Working out the estimate" /> : null}
          {!filled ? <p className="muted">Fill in the settings above to see the estimate.</p> : null}
          <ErrorNotice error={forecast.error} onRetry={() => void forecast.refetch()} />
          {text && valid ? (
            <div className="stack tight" aria-live="polite">
              <p className="post-text" data-testid="run-forecast-text">
                {text.headline}
              </p>
              <p>{text.cost_line}</p>
              {text.planning_line ? (
                <p className="muted small" data-testid="run-forecast-planning">
                  {text.planning_line}
                </p>
              ) : null}
              {text.daily_line ? (
                <p className="muted small" data-testid="run-forecast-daily">
                  {text.daily_line}
                </p>
              ) : null}
              {text.held_back ? <p className="muted">{text.held_back}</p> : null}
              {text.notes.length > 0 ? (
                <ul className="forecast-notes" data-testid="run-forecast-notes">
                  {text.notes.map((n, i) => (
                    <li key={i}>{n}</li>
                  ))}
                </ul>
              ) : null}
              {text.over_budget ? <Notice kind="warn">{text.over_budget}</Notice> : null}
              {forecast.isFetching ? <span className="muted small">Updating…</span> : null}
            </div>
          ) : null}
          {forecast.data && valid && forecast.data.posts + forecast.data.batch_posts > 0 ? (
            <fieldset className="mode-choice" data-testid="run-mode">
              <legend>When do you need the replies?</legend>
              <label className={`mode-option${settings.mode === "standard" ? " selected" : ""}`}>
                <input
                  type="radio"
                  name="run-mode"
                  checked={settings.mode === "standard"}
                  onChange={() => set({ mode: "standard" })}
                  data-testid="run-mode-standard"
                />
                <span>
                  <strong>Now</strong> · about {forecast.data.text.cost_text}
                  <br />
                  <span className="muted small">Replies in about {forecast.data.text.duration_text}.</span>
                </span>
              </label>
              <label className={`mode-option${settings.mode === "batch" ? " selected" : ""}`}>
                <input type="radio" name="run-mode" checked={settings.mode === "batch"} onChange={() => set({ mode: "batch" })} data-testid="run-mode-batch" />
                <span>
                  <strong>Cheaper, slower</strong> · about {forecast.data.text.batch_cost_text}
                  <br />
                  <span className="muted small">
                    Half price, usually within a few hours
                    {forecast.data.batch_posts !== forecast.data.posts ? ` · ${plural(forecast.data.batch_posts, "post")}` : ""}.
                  </span>
                </span>
              </label>
            </fieldset>
          ) : null}
          {forecast.data && valid ? (
            <Fold title="Advanced: tokens">
              <p className="muted small">
                About {formatInt(forecast.data.input_tokens)} input and {formatInt(forecast.data.output_tokens)} output tokens in{" "}
                {formatInt(forecast.data.requests)} requests ({plural(forecast.data.per_request, "post")} per request); {formatInt(forecast.data.deduped)}{" "}
                near-duplicates skipped.
              </p>
              {text?.thinking_line ? (
                <p className="muted small" data-testid="run-forecast-thinking">
                  {text.thinking_line}
                </p>
              ) : null}
            </Fold>
          ) : null}
          <ErrorNotice error={start.error} testId="run-start-error" />
          <div className="row">
            <Button
              variant="primary"
              size="lg"
              icon={<IconPlay />}
              busy={start.isPending}
              disabled={!valid || !geminiSet || budgetInvalid || (settings.mode === "batch" ? forecast.data?.batch_posts === 0 : forecast.data?.posts === 0)}
              onClick={() => void onStart()}
              data-testid="run-start"
            >
              {forecast.data && valid && settings.mode === "batch" && forecast.data.batch_posts > 0
                ? `Start at half price · about ${forecast.data.text.batch_cost_text}`
                : forecast.data && forecast.data.posts > 0 && valid
                  ? `Start run · about ${forecast.data.text.cost_text}`
                  : "Start run"}
            </Button>
          </div>
        </Card>
      ) : null}

      <Card title="Recent runs" lead="Every run is kept with what it cost.">
        {runs.isLoading ? <Loading /> : null}
        <ErrorNotice error={runs.error} />
        {runs.data && runs.data.length === 0 ? <p className="muted">No runs yet for this project. Your first one will show up here.</p> : null}
        {runs.data && runs.data.length > 0 ? <RunsTable runs={runs.data.slice(0, 10)} bannerRunId={!busy ? (stoppedOnPurpose?.run_id ?? null) : null} /> : null}
      </Card>
    </div>
  );
}
