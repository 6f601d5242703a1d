// Find posts: search Apify or the X API from inside the app. Terms, filters and source; what
// it may cost before it starts; live progress with Cancel; what was added, with a path to
// "Find replies for these posts"; saved searches with one-click "Find new posts"; and a
// side-by-side term analysis.

import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import type { FindEvent, SavedSearch, SearchFormReading, SearchOutcome, SearchProgress, SearchSort, TermAnalysis } from "../bindings";

// The charts library is large: it loads only when a term analysis is shown.
const AnalysisCard = lazy(() => import("../components/TermAnalysis").then((m) => ({ default: m.AnalysisCard })));
import { useCurrentProject } from "../components/ProjectContext";
import { IconFolder, IconPlay, IconRefresh, IconStop, IconTrash } from "../components/icons";
import { Button, Card, Checkbox, EmptyState, ErrorNotice, Field, Fold, Notice, PageHeader, Spinner, Stat } from "../components/ui";
import { findApi } from "../lib/findApi";
import { DEFAULT_FORM, outcomeHeadline, progressLine, REFRESH_CHOICES, sourceName, toForm, toFormDto, type FindForm } from "../lib/findText";
import { formatDateTime, formatInt } from "../lib/format";
import { invalidateAfterRun, useKeyStatus } from "../lib/queries";

export function FindPostsScreen() {
  const { project, projectId } = useCurrentProject();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keys = useKeyStatus();
  const [form, setForm] = useState<FindForm>(DEFAULT_FORM);
  const [estimate, setEstimate] = useState<string | null>(null);
  const [progress, setProgress] = useState<SearchProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<SearchOutcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<SavedSearch[]>([]);
  const [analysis, setAnalysis] = useState<TermAnalysis[] | null>(null);
  const [refreshed, setRefreshed] = useState<string | null>(null);

  // The engine reads the form (terms, whole numbers) a moment after each change.
  const [built, setBuilt] = useState<SearchFormReading | null>(null);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      findApi()
        .readForm(toFormDto(form))
        .then((reading) => current && setBuilt(reading))
        .catch(() => current && setBuilt(null));
    }, 100);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [form]);
  const request = built?.request ?? null;

  // A result lands below the form: bring it into view.
  useEffect(() => {
    if (outcome) document.querySelector('[data-testid="find-result"]')?.scrollIntoView({ behavior: "smooth", block: "start" });
  }, [outcome]);
  const set = <K extends keyof FindForm>(key: K, value: FindForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const tokenSecret = form.source === "apify" ? "apify" : "x-bearer";
  const tokenSet = keys.data?.find((k) => k.secret === tokenSecret)?.set ?? false;

  const loadSaved = () => {
    if (projectId == null) return;
    findApi()
      .listSaved(projectId)
      .then(setSaved)
      .catch(() => setSaved([]));
  };
  useEffect(loadSaved, [projectId]);

  // The engine's estimate, a moment after the form settles.
  useEffect(() => {
    if (!request) {
      setEstimate(null);
      return;
    }
    const timer = setTimeout(() => {
      findApi()
        .estimate(request)
        .then((e) => setEstimate(e.sentence))
        .catch((e: { message?: string }) => setEstimate(e.message ?? null));
    }, 250);
    return () => clearTimeout(timer);
  }, [request]);

  // Progress and outcomes arrive as events (no polling).
  useEffect(() => {
    let stop: (() => void) | null = null;
    let gone = false;
    void findApi()
      .onEvent((e: FindEvent) => {
        if (e.kind === "progress") {
          // Also after coming back to the screen while a search goes on: Cancel stays at hand.
          setRunning(e.stage !== "done");
          setProgress(e);
        } else if (e.kind === "finished") {
          setRunning(false);
          setOutcome(e);
          setProgress(null);
          loadSaved();
          invalidateAfterRun(queryClient);
          if (e.found > 0) {
            findApi()
              .analyze(e.search_id)
              .then(setAnalysis)
              .catch(() => setAnalysis(null));
          }
        } else if (e.kind === "failed") {
          setRunning(false);
          setProgress(null);
          setError({ code: e.code, message: e.message });
        } else if (e.kind === "refreshed") {
          setRefreshed(`“${e.name}”: ${e.sentence}`);
          loadSaved();
          invalidateAfterRun(queryClient);
        }
      })
      .then((u) => {
        if (gone) u();
        else stop = u;
      });
    return () => {
      gone = true;
      stop?.();
    };
  }, [projectId]);

  const begin = (start: () => Promise<void>) => {
    setError(null);
    setOutcome(null);
    setAnalysis(null);
    setProgress(null);
    setRunning(true);
    start().catch((e) => {
      setRunning(false);
      setError(e);
    });
  };

  const onStart = () => {
    if (projectId == null || !request) return;
    begin(() => findApi().start(projectId, request, form.saveAs.trim() || null));
  };

  if (projectId == null) {
    return (
      <div className="page narrow">
        <PageHeader title="Find posts" />
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
            Posts are found for a project, so its topics can rank them.
          </EmptyState>
        </Card>
      </div>
    );
  }

  return (
    <div className="page narrow">
      <PageHeader
        title="Find posts"
        lead={
          <>
            Search X for fresh posts for <strong>{project?.name}</strong> through Apify or the X API. What arrives is checked like an imported file, scored, and
            its cost shows on Costs beside the AI's.
          </>
        }
      />

      {refreshed ? (
        <Notice
          kind="ok"
          title="Saved searches refreshed"
          testId="find-refreshed"
          action={
            <Button size="sm" onClick={() => navigate("/review")}>
              Open the review queue
            </Button>
          }
        >
          {refreshed}
        </Notice>
      ) : null}

      <Card title="What to look for" testId="find-form">
        <div className="stack">
          <Field label="Search terms" hint="Up to 5, separated by commas. Each term is searched on its own." htmlFor="find-terms">
            <input
              id="find-terms"
              className="input"
              data-testid="find-terms"
              placeholder="onboarding, free trial, cold email"
              value={form.terms}
              onChange={(e) => set("terms", e.target.value)}
            />
          </Field>
          <div className="grid-2">
            <Field label="Where to search">
              <div className="segmented" role="radiogroup" aria-label="Where to search">
                {(["apify", "x"] as const).map((s) => (
                  <button
                    key={s}
                    type="button"
                    role="radio"
                    aria-checked={form.source === s}
                    aria-pressed={form.source === s}
                    data-testid={`find-source-${s}`}
                    onClick={() => set("source", s)}
                  >
                    {sourceName(s)}
                  </button>
                ))}
              </div>
            </Field>
            <Field label="Posts per term" hint="10 to 1,000" htmlFor="find-count">
              <input
                id="find-count"
                className="input"
                inputMode="numeric"
                data-testid="find-count"
                value={form.count}
                onChange={(e) => set("count", e.target.value)}
              />
            </Field>
          </div>
          <Fold title="Filters" testId="find-filters">
            <div className="grid-3">
              <Field label="Minimum likes" htmlFor="find-min-likes">
                <input
                  id="find-min-likes"
                  className="input"
                  inputMode="numeric"
                  data-testid="find-min-likes"
                  value={form.minLikes}
                  onChange={(e) => set("minLikes", e.target.value)}
                />
              </Field>
              <Field label="Minimum reposts" htmlFor="find-min-reposts">
                <input
                  id="find-min-reposts"
                  className="input"
                  inputMode="numeric"
                  value={form.minReposts}
                  onChange={(e) => set("minReposts", e.target.value)}
                />
              </Field>
              <Field label="Minimum replies" htmlFor="find-min-replies">
                <input
                  id="find-min-replies"
                  className="input"
                  inputMode="numeric"
                  value={form.minReplies}
                  onChange={(e) => set("minReplies", e.target.value)}
                />
              </Field>
              <Field label="Days back" hint={form.source === "x" ? "X reaches 7 days back" : "Empty: any age"} htmlFor="find-days">
                <input
                  id="find-days"
                  className="input"
                  inputMode="numeric"
                  data-testid="find-days"
                  value={form.daysBack}
                  onChange={(e) => set("daysBack", e.target.value)}
                />
              </Field>
              <Field label="Language" hint="Two letters, e.g. en" htmlFor="find-lang">
                <input id="find-lang" className="input" value={form.language} onChange={(e) => set("language", e.target.value)} />
              </Field>
              <Field label="Order" htmlFor="find-sort">
                <select id="find-sort" className="select" value={form.sort} onChange={(e) => set("sort", e.target.value as SearchSort)}>
                  <option value="latest">Latest first</option>
                  <option value="top">Top posts</option>
                </select>
              </Field>
            </div>
            <div className="row">
              <Checkbox checked={form.onlyVerified} onChange={(v) => set("onlyVerified", v)}>
                Only verified authors
              </Checkbox>
              <Checkbox checked={form.onlyImage} onChange={(v) => set("onlyImage", v)}>
                Only with images
              </Checkbox>
              <Checkbox checked={form.onlyVideo} onChange={(v) => set("onlyVideo", v)}>
                Only with video
              </Checkbox>
              <Checkbox checked={form.onlyQuote} onChange={(v) => set("onlyQuote", v)}>
                Only quotes
              </Checkbox>
              <Checkbox checked={form.rawQuery} onChange={(v) => set("rawQuery", v)}>
                Use terms exactly as typed (X search syntax)
              </Checkbox>
            </div>
          </Fold>
          <Field label="Save as (optional)" hint="A saved search can later fetch only the posts that are new since." htmlFor="find-save-name">
            <input
              id="find-save-name"
              className="input"
              data-testid="find-save-name"
              placeholder="e.g. Onboarding talk"
              value={form.saveAs}
              onChange={(e) => set("saveAs", e.target.value)}
            />
          </Field>
          {built?.problem && form.terms.trim() !== "" ? <p className="field-error">{built.problem}</p> : null}
          {estimate ? (
            <p className="muted" data-testid="find-estimate">
              {estimate}
            </p>
          ) : null}
          {!tokenSet && keys.data ? (
            <Notice kind="warn" title={`No ${form.source === "apify" ? "Apify token" : "X API bearer token"} is saved.`} testId="find-token-missing">
              Add it in <Link to="/settings">Settings → Keys</Link>; it is kept in your system keychain.
            </Notice>
          ) : null}
          <div className="row">
            <Button variant="primary" icon={<IconPlay />} onClick={onStart} busy={running} disabled={!request || running} data-testid="find-start">
              Find posts
            </Button>
            {running ? (
              <Button icon={<IconStop />} onClick={() => void findApi().cancel()} data-testid="find-cancel">
                Cancel
              </Button>
            ) : null}
          </div>
        </div>
      </Card>

      {running ? (
        <Card testId="find-progress">
          <div className="row">
            <Spinner />
            <span data-testid="find-progress-text">{progress ? progressLine(progress) : "Starting the search…"}</span>
          </div>
          {progress ? (
            <div className="grid-3">
              <Stat label="Found" value={formatInt(progress.found)} testId="find-found" />
              <Stat label="New" value={formatInt(progress.added)} testId="find-new" />
              <Stat label="Skipped" value={formatInt(progress.skipped)} testId="find-skipped" />
            </div>
          ) : null}
          {progress?.note ? <p className="muted small">{progress.note}</p> : null}
        </Card>
      ) : null}

      <ErrorNotice error={error} testId="find-error" />

      {outcome ? <OutcomeCard outcome={outcome} onRun={() => navigate("/run")} onReview={() => navigate("/review")} /> : null}

      {analysis && analysis.length > 0 ? (
        <Suspense fallback={<Spinner label="Loading the chart" />}>
          <AnalysisCard rows={analysis} />
        </Suspense>
      ) : null}

      <SavedSearches
        saved={saved}
        running={running}
        onFind={(s) => begin(() => findApi().findNew(s.id))}
        onEdit={(s) => setForm(toForm(s.request))}
        onChanged={loadSaved}
      />
    </div>
  );
}

function OutcomeCard({ outcome: o, onRun, onReview }: { outcome: SearchOutcome; onRun: () => void; onReview: () => void }) {
  return (
    <Card title={outcomeHeadline(o)} lead={o.summary} testId="find-result">
      {/* The summary already says how far it got; this says why, by its code (a search that
          stopped, or a name that could not be kept), with Google's or the source's words under Details. */}
      <ErrorNotice error={o.error} testId="find-result-error" />
      <div className="grid-3">
        <Stat label="New posts" value={formatInt(o.added)} testId="find-result-added" />
        <Stat label="Worth a reply now (green)" value={formatInt(o.new_greens)} testId="find-result-greens" />
        <Stat label="Cost" value={o.cost} testId="find-result-cost" />
      </div>
      <p className="small muted">
        {o.terms.map((t) => `“${t.term}”: ${formatInt(t.found)} found, ${formatInt(t.added)} new${t.complete ? "" : " (stopped early)"}`).join(" · ")}
      </p>
      {o.skipped.length > 0 ? (
        <Fold title={`Why ${formatInt(o.skipped_total)} item(s) were skipped`} testId="find-skipped-reasons">
          <ul className="small" style={{ margin: 0, paddingLeft: 20 }}>
            {o.skipped.slice(0, 50).map((s, i) => (
              <li key={i}>
                {s.place}: {s.reason}
              </li>
            ))}
          </ul>
        </Fold>
      ) : null}
      <div className="row">
        <Button variant="primary" icon={<IconPlay />} onClick={onRun} disabled={o.found === 0} data-testid="find-next-run">
          Find replies for these posts
        </Button>
        <Button variant="ghost" onClick={onReview} data-testid="find-to-review">
          See them in the review queue
        </Button>
      </div>
    </Card>
  );
}

function SavedSearches({
  saved,
  running,
  onFind,
  onEdit,
  onChanged,
}: {
  saved: SavedSearch[];
  running: boolean;
  onFind: (s: SavedSearch) => void;
  onEdit: (s: SavedSearch) => void;
  onChanged: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  return (
    <Card
      title="Saved searches"
      lead="“Find new posts” asks only for posts newer than the last fetch. A schedule refreshes while the app is open."
      testId="find-saved"
    >
      <ErrorNotice error={error} />
      {saved.length === 0 ? (
        <p className="muted" data-testid="find-saved-empty">
          No saved searches yet. Give a search a name under “Save as” and it appears here.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Terms</th>
                <th>Last fetched</th>
                <th>Refresh</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {saved.map((s) => (
                <tr key={s.id} data-testid="find-saved-row">
                  <td>
                    <button type="button" className="link-btn" onClick={() => onEdit(s)} title="Put these terms and filters in the form">
                      {s.name}
                    </button>
                    <div className="small muted">{sourceName(s.request.source)}</div>
                  </td>
                  <td className="small">{s.request.terms.join(", ")}</td>
                  <td className="small">{s.last_fetched_at ? formatDateTime(s.last_fetched_at) : "never"}</td>
                  <td>
                    <select
                      className="select"
                      aria-label={`Refresh ${s.name}`}
                      value={s.refresh_hours ?? ""}
                      onChange={(e) => {
                        const hours = e.target.value === "" ? null : Number(e.target.value);
                        findApi().setSchedule(s.id, hours, s.draft_new_greens).then(onChanged, setError);
                      }}
                    >
                      {REFRESH_CHOICES.map((c) => (
                        <option key={c.label} value={c.hours ?? ""}>
                          {c.label}
                        </option>
                      ))}
                    </select>
                    {s.refresh_hours != null ? (
                      <Checkbox checked={s.draft_new_greens} onChange={(on) => findApi().setSchedule(s.id, s.refresh_hours, on).then(onChanged, setError)}>
                        <span className="small">Then draft replies for new greens (within your budgets)</span>
                      </Checkbox>
                    ) : null}
                  </td>
                  <td className="nowrap">
                    <Button size="sm" variant="primary" icon={<IconRefresh />} disabled={running} onClick={() => onFind(s)} data-testid="find-new">
                      Find new posts
                    </Button>{" "}
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<IconTrash />}
                      aria-label={`Delete ${s.name}`}
                      onClick={() => findApi().deleteSaved(s.id).then(onChanged, setError)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
