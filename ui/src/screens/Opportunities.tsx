// Opportunities: the review queue, best first. "Reply on X" opens X's reply box with the draft
// filled in (the link comes from the engine); back here, one key or click confirms it was
// posted and the next post is selected. Every status change can be undone. Keyboard: j/k
// move, r reply on X, c copy, o open, a approve, e edit, p posted, s skip, u undo, x select,
// ? help.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router";
import type { Draft, DraftReview, Label, Opportunity, OpportunityQuery, PostStatus, QueueView, SortKey, StatusChange, Weights } from "../api";
import { useCurrentProject } from "../components/ProjectContext";
import { useToast } from "../components/toast";
import { Button, Card, Checkbox, Dialog, EmptyState, ErrorNotice, Fold, Kbd, LabelPill, Loading, PageHeader } from "../components/ui";
import { IconCheck, IconCopy, IconEdit, IconExternal, IconInbox, IconPlay, IconSend, IconSkip, IconUpload, IconX } from "../components/icons";
import { formatAge, formatCompact, formatInt, formatPercent, plural, replyTypeName, toScore100 } from "../lib/format";
import { useDebounced, useNow } from "../lib/hooks";
import { copyText, openLink } from "../lib/platform";
import {
  useDraftReview,
  useEditDraft,
  useOpportunities,
  useProject,
  useRuns,
  useScoreParts,
  useSetPostStatus,
  useTopicsInUse,
  useUndoPostStatus,
} from "../lib/queries";
import {
  bulkDoneText,
  draftText,
  indexAfterRemoval,
  moveIndex,
  orderedDrafts,
  REVIEW_SHORTCUTS,
  reviewShortcut,
  SCORE_PART_WORDS,
  staysInView,
  toggleSelected,
} from "../lib/review";

const VIEW_OPTIONS: Array<{ value: QueueView; label: string }> = [
  { value: "to_review", label: "To review" },
  { value: "approved", label: "Approved" },
  { value: "posted", label: "Posted" },
  { value: "skipped", label: "Skipped" },
  { value: "rejected", label: "Rejected" },
  { value: "exported", label: "Done (exported)" },
  { value: "all", label: "All posts" },
];

const STATUS_WORDS: Record<PostStatus, string> = { pending: "To review", exported: "Done (exported)", posted: "Posted", skipped: "Skipped" };

const SORT_OPTIONS: Array<{ value: SortKey; label: string }> = [
  { value: "score", label: "Best match" },
  { value: "balanced", label: "Best × views" },
  { value: "views", label: "Most views" },
  { value: "newest", label: "Newest" },
];

interface Filters {
  labels: Label[];
  view: QueueView;
  topic: string;
  run: string;
  search: string;
  sort: SortKey;
  withDrafts: boolean;
}

const DEFAULT_FILTERS: Filters = { labels: [], view: "to_review", topic: "", run: "", search: "", sort: "score", withDrafts: false };

/** The last change made in the queue, for "Undo" (button in the notice, or the u key). */
type LastChange = { kind: "status"; change: StatusChange; text: string } | { kind: "review"; draftId: number; previous: DraftReview; tweetId: string };

function inField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

function ScoreBreakdown({ o, weights }: { o: Opportunity; weights: Weights }) {
  // The engine splits the score into its parts (the same weighted mean it scores with).
  const parts = useScoreParts(weights, o).data ?? [];
  return (
    <div className="score-bars">
      {parts.map((p) => (
        <div key={p.key} style={{ display: "contents" }}>
          <span title={SCORE_PART_WORDS[p.key]?.explain}>{SCORE_PART_WORDS[p.key]?.name ?? p.key}</span>
          <div className="meter" title={`${formatPercent(p.value)} × weight ${formatPercent(p.weight)}`}>
            <div style={{ width: `${p.value * 100}%` }} />
          </div>
          <span className="muted small nowrap">
            {formatPercent(p.value)} · counts {formatPercent(p.weight)}
          </span>
        </div>
      ))}
    </div>
  );
}

function DraftCard({
  draft,
  first,
  editing,
  onEdit,
  onCancelEdit,
  onReply,
  onReview,
}: {
  draft: Draft;
  first: boolean;
  editing: boolean;
  onEdit: () => void;
  onCancelEdit: () => void;
  onReply: (d: Draft) => void;
  onReview: (d: Draft, review: DraftReview) => void;
}) {
  const edit = useEditDraft();
  const toast = useToast();
  const [text, setText] = useState(draftText(draft));
  useEffect(() => setText(draftText(draft)), [draft]);
  const length = [...text].length;

  const copy = async () => {
    try {
      await copyText(draftText(draft));
      toast.ok("Copied. Paste it in your reply on X.");
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <div className={`draft ${draft.review}`} data-testid={first ? "draft-first" : "draft"}>
      <div className="row between">
        <strong className="small">{replyTypeName(draft.reply_type)}</strong>
        <span className="row tight">
          {draft.sample ? (
            <span className="pill accent plain" title="Written for the sample project, not by the AI; nothing was spent" data-testid="draft-sample">
              Sample draft
            </span>
          ) : null}
          {draft.edited_text ? <span className="pill plain">Edited</span> : null}
          {draft.review === "approved" ? <span className="pill green">Approved</span> : null}
          {draft.review === "rejected" ? <span className="pill plain">Rejected</span> : null}
        </span>
      </div>
      {editing ? (
        <form
          className="stack tight"
          onSubmit={(e) => {
            e.preventDefault();
            edit.mutate(
              { draftId: draft.id, text },
              {
                onSuccess: () => {
                  onCancelEdit();
                  toast.ok("Reply saved.");
                },
              },
            );
          }}
        >
          <textarea
            className="textarea"
            rows={4}
            value={text}
            onChange={(e) => setText(e.target.value)}
            autoFocus
            data-testid="draft-edit-text"
            aria-label="Edit the reply"
          />
          <div className="row tight">
            <Button type="submit" size="sm" variant="primary" busy={edit.isPending} data-testid="draft-edit-save">
              Save reply
            </Button>
            <Button size="sm" variant="ghost" onClick={onCancelEdit}>
              Cancel
            </Button>
            <span className={`small ${length > 280 ? "field-error" : "muted"}`}>{length} / 280 characters</span>
          </div>
          <ErrorNotice error={edit.error} />
        </form>
      ) : (
        <p className="draft-text" data-testid="draft-text">
          {draftText(draft)}
        </p>
      )}
      {!editing ? (
        <div className="row tight">
          {draft.reply_url ? (
            <Button
              size="sm"
              variant={first ? "primary" : "secondary"}
              icon={<IconSend />}
              onClick={() => onReply(draft)}
              title="Opens X's reply box for this post with this text filled in"
              data-testid={first ? "draft-reply-first" : "draft-reply"}
            >
              Reply on X
            </Button>
          ) : null}
          <Button size="sm" icon={<IconCopy />} onClick={() => void copy()} data-testid={first ? "draft-copy-first" : "draft-copy"}>
            Copy
          </Button>
          <Button size="sm" icon={<IconEdit />} onClick={onEdit} data-testid="draft-edit">
            Edit
          </Button>
          {draft.review !== "approved" ? (
            <Button size="sm" icon={<IconCheck />} onClick={() => onReview(draft, "approved")} data-testid="draft-approve">
              Approve
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => onReview(draft, "draft")}>
              Undo approve
            </Button>
          )}
          {draft.review !== "rejected" ? (
            <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => onReview(draft, "rejected")} data-testid="draft-reject">
              Reject
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => onReview(draft, "draft")}>
              Undo reject
            </Button>
          )}
        </div>
      ) : null}
    </div>
  );
}

function PostDetail({
  o,
  weights,
  now,
  editingDraft,
  setEditingDraft,
  onStatus,
  onReply,
  onReview,
  awaitingPosted,
  onConfirmPosted,
  onCancelPosted,
}: {
  o: Opportunity;
  weights: Weights | null;
  now: number;
  editingDraft: number | null;
  setEditingDraft: (id: number | null) => void;
  onStatus: (ids: string[], status: PostStatus) => void;
  onReply: (d: Draft) => void;
  onReview: (d: Draft, review: DraftReview) => void;
  awaitingPosted: boolean;
  onConfirmPosted: () => void;
  onCancelPosted: () => void;
}) {
  const navigate = useNavigate();
  const toast = useToast();
  const drafts = orderedDrafts(o.drafts);
  const live = drafts.filter((d) => d.review !== "rejected");
  const rejected = drafts.filter((d) => d.review === "rejected");
  const card = (d: Draft, first: boolean) => (
    <DraftCard
      key={d.id}
      draft={d}
      first={first}
      editing={editingDraft === d.id}
      onEdit={() => setEditingDraft(d.id)}
      onCancelEdit={() => setEditingDraft(null)}
      onReply={onReply}
      onReview={onReview}
    />
  );
  return (
    <Card className="stack" testId="post-detail">
      <div className="row between" style={{ flexWrap: "nowrap" }}>
        <span className="small muted" style={{ minWidth: 0 }}>
          <strong style={{ color: "var(--text)" }}>{o.author_name ?? o.handle}</strong> @{o.handle} · {formatCompact(o.followers)} followers ·{" "}
          {formatAge(o.posted_at, now)}
        </span>
        <div className="row tight" style={{ flexWrap: "nowrap" }}>
          {o.status !== "pending" ? <span className="pill plain">{STATUS_WORDS[o.status]}</span> : null}
          <LabelPill label={o.label} />
          <span className="pill plain" title="Score from 0 to 100">
            {toScore100(o.total)}
          </span>
        </div>
      </div>
      <p className="post-text" data-testid="post-text">
        {o.text}
      </p>
      <p className="small muted why-line" style={{ margin: 0 }} title={o.why}>
        <strong>Why: </strong>
        <span data-testid="post-why">{o.why}</span>
      </p>
      <div className="row tight">
        <Button size="sm" icon={<IconExternal />} onClick={() => openLink(o.url).catch((e) => toast.error(e))} data-testid="post-open">
          Open on X
        </Button>
        <Button
          size="sm"
          variant={o.status === "posted" ? "ghost" : "secondary"}
          icon={<IconCheck />}
          onClick={() => onStatus([o.tweet_id], o.status === "posted" ? "pending" : "posted")}
          data-testid="post-mark-posted"
        >
          {o.status === "posted" ? "Not posted" : "Mark posted"}
        </Button>
        <Button
          size="sm"
          variant="ghost"
          icon={<IconSkip />}
          onClick={() => onStatus([o.tweet_id], o.status === "skipped" ? "pending" : "skipped")}
          data-testid="post-skip"
        >
          {o.status === "skipped" ? "Back to queue" : "Skip"}
        </Button>
      </div>
      {awaitingPosted ? (
        <div className="posted-confirm" role="group" aria-label="Did you post the reply?" data-testid="reply-confirm">
          <strong className="grow">Posted your reply on X?</strong>
          <Button size="sm" variant="primary" icon={<IconCheck />} onClick={onConfirmPosted} data-testid="reply-confirm-posted">
            Yes, mark posted <Kbd>P</Kbd>
          </Button>
          <Button size="sm" variant="ghost" onClick={onCancelPosted} data-testid="reply-confirm-cancel">
            Not yet
          </Button>
        </div>
      ) : null}
      <div className="drafts-first">
        {live.length === 0 && rejected.length === 0 ? (
          <div className="notice info">
            <div className="notice-body">
              <strong>No reply drafts for this post yet.</strong>
              <span>Start a run to write them{o.label === "red" ? " (include “Low priority” posts in the run's settings)" : ""}.</span>
            </div>
            <Button size="sm" icon={<IconPlay />} onClick={() => navigate("/run")}>
              Go to Run
            </Button>
          </div>
        ) : null}
        {live.map((d, i) => card(d, i === 0))}
        {rejected.length > 0 ? <Fold title={`${plural(rejected.length, "rejected draft")}`}>{rejected.map((d) => card(d, false))}</Fold> : null}
      </div>
      <Fold title="Likes, views and how the score adds up">
        <div className="metrics">
          <span>
            <strong>{formatCompact(o.likes)}</strong> likes
          </span>
          <span>
            <strong>{formatCompact(o.replies)}</strong> replies
          </span>
          <span>
            <strong>{formatCompact(o.retweets)}</strong> reposts
          </span>
          <span>
            <strong>{formatCompact(o.views)}</strong> views
          </span>
          {o.topic ? <span className="pill accent plain">{o.topic}</span> : null}
        </div>
        {weights ? <ScoreBreakdown o={o} weights={weights} /> : null}
      </Fold>
    </Card>
  );
}

export function OpportunitiesScreen() {
  const { project, projectId } = useCurrentProject();
  const details = useProject(projectId);
  const runs = useRuns(projectId);
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  const search = useDebounced(filters.search, 250);
  const query: OpportunityQuery | null = useMemo(
    () =>
      projectId == null
        ? null
        : {
            project_id: projectId,
            labels: filters.labels,
            status: null,
            view: filters.view,
            topic: filters.topic || null,
            run_id: filters.run ? Number(filters.run) : null,
            search,
            sort: filters.sort,
            with_drafts: filters.withDrafts,
            limit: 200,
          },
    [projectId, filters.labels, filters.view, filters.topic, filters.run, search, filters.sort, filters.withDrafts],
  );
  const page = useOpportunities(query);
  const setStatus = useSetPostStatus();
  const undoStatus = useUndoPostStatus();
  const review = useDraftReview();
  const toast = useToast();
  const navigate = useNavigate();
  const now = useNow();
  const [index, setIndex] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editingDraft, setEditingDraft] = useState<number | null>(null);
  const [help, setHelp] = useState(false);
  // The post whose reply was opened on X, until the person confirms it was posted.
  const [awaiting, setAwaiting] = useState<string | null>(null);
  // A post to select once the list has it again (after an undo).
  const [focusId, setFocusId] = useState<string | null>(null);
  const lastChange = useRef<LastChange | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  // Posts whose status changed leave the list at once (optimistic), unless the view keeps them.
  const items = useMemo(() => (page.data?.items ?? []).filter((o) => staysInView(o.status, filters.view)), [page.data, filters.view]);
  const current = items[Math.min(index, Math.max(0, items.length - 1))] ?? null;
  // The project's own weights (the breakdown waits for them).
  const weights = details.data?.settings.weights ?? null;
  const topicsInUse = useTopicsInUse(projectId);
  const topics = useMemo(
    () => [...new Set([...(details.data?.settings.topics.map((t) => t.label) ?? []), ...(topicsInUse.data ?? [])])],
    [details.data, topicsInUse.data],
  );

  useEffect(() => {
    setIndex(0);
    setSelected(new Set());
    setAwaiting(null);
  }, [projectId, filters.labels, filters.view, filters.topic, filters.run, search, filters.sort, filters.withDrafts]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>('[aria-current="true"]')?.scrollIntoView({ block: "nearest" });
  }, [index]);

  useEffect(() => {
    if (focusId == null) return;
    const at = items.findIndex((o) => o.tweet_id === focusId);
    if (at >= 0) {
      setIndex(at);
      setFocusId(null);
    }
  }, [items, focusId]);

  const undo = useCallback(
    (last: LastChange | null) => {
      if (!last) {
        toast.ok("Nothing to undo.");
        return;
      }
      lastChange.current = null;
      if (last.kind === "status") {
        undoStatus.mutate(last.change, {
          onSuccess: () => {
            toast.ok("Undone.");
            setFocusId(last.change.previous[0]?.[0] ?? null);
          },
          onError: (e) => toast.error(e),
        });
      } else {
        review.mutate({ draftId: last.draftId, review: last.previous }, { onSuccess: () => toast.ok("Undone."), onError: (e) => toast.error(e) });
        setFocusId(last.tweetId);
      }
    },
    [undoStatus, review, toast],
  );

  const changeStatus = useCallback(
    (ids: string[], status: PostStatus, after?: () => void) => {
      if (projectId == null || ids.length === 0) return;
      const remaining = items.filter((o) => !ids.includes(o.tweet_id) || staysInView(status, filters.view)).length;
      setStatus.mutate(
        { projectId, tweetIds: ids, status },
        {
          onSuccess: (change) => {
            const text = bulkDoneText(status === "exported" ? "pending" : status, ids.length);
            const last: LastChange = { kind: "status", change, text };
            lastChange.current = last;
            toast.ok(text, { label: "Undo", run: () => undo(last), testId: "toast-undo" });
          },
          onError: (e) => toast.error(e),
        },
      );
      setIndex((i) => indexAfterRemoval(i, remaining));
      setSelected(new Set());
      setEditingDraft(null);
      setAwaiting(null);
      after?.();
    },
    [projectId, items, filters.view, setStatus, toast, undo],
  );

  const changeReview = useCallback(
    (o: Opportunity, d: Draft, next: DraftReview) => {
      const last: LastChange = { kind: "review", draftId: d.id, previous: d.review, tweetId: o.tweet_id };
      review.mutate(
        { draftId: d.id, review: next },
        {
          onSuccess: () => {
            lastChange.current = last;
            const text = next === "approved" ? "Reply approved." : next === "rejected" ? "Reply rejected." : "Reply back to draft.";
            toast.ok(text, { label: "Undo", run: () => undo(last), testId: "toast-undo" });
          },
          onError: (e) => toast.error(e),
        },
      );
    },
    [review, toast, undo],
  );

  const replyOnX = useCallback(
    (o: Opportunity, d: Draft | undefined) => {
      if (!d) {
        toast.ok("This post has no reply drafts yet.");
        return;
      }
      if (!d.reply_url) {
        toast.ok("This post's id is not a plain number, so X's reply box cannot be opened for it. Use Copy and Open on X.");
        return;
      }
      openLink(d.reply_url).then(
        () => setAwaiting(o.tweet_id),
        (err) => toast.error(err),
      );
    },
    [toast],
  );

  const confirmPosted = useCallback(() => {
    if (!current) return;
    const stays = staysInView("posted", filters.view);
    // Whatever the view, the next post is selected.
    changeStatus([current.tweet_id], "posted", stays ? () => setIndex((i) => moveIndex(i, 1, items.length)) : undefined);
  }, [current, filters.view, changeStatus, items.length]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (help || editingDraft != null) return;
      if (awaiting && current?.tweet_id === awaiting && e.key === "Enter" && !inField(e.target) && (e.target as HTMLElement | null)?.tagName !== "BUTTON") {
        e.preventDefault();
        confirmPosted();
        return;
      }
      const action = reviewShortcut({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, inField: inField(e.target) });
      if (!action) return;
      if (action === "help") {
        e.preventDefault();
        setHelp(true);
        return;
      }
      if (action === "undo") {
        e.preventDefault();
        undo(lastChange.current);
        return;
      }
      if (!current) return;
      e.preventDefault();
      const first = orderedDrafts(current.drafts).find((d) => d.review !== "rejected");
      switch (action) {
        case "next":
          setIndex((i) => moveIndex(i, 1, items.length));
          break;
        case "previous":
          setIndex((i) => moveIndex(i, -1, items.length));
          break;
        case "reply":
          replyOnX(current, first);
          break;
        case "copy":
          if (first)
            copyText(draftText(first)).then(
              () => toast.ok("Copied. Paste it in your reply on X."),
              (err) => toast.error(err),
            );
          else toast.ok("This post has no reply drafts yet.");
          break;
        case "open":
          openLink(current.url).catch((err) => toast.error(err));
          break;
        case "approve":
          if (first) changeReview(current, first, "approved");
          break;
        case "edit":
          if (first) setEditingDraft(first.id);
          break;
        case "posted":
          if (awaiting === current.tweet_id) confirmPosted();
          else changeStatus([current.tweet_id], "posted");
          break;
        case "skip":
          changeStatus([current.tweet_id], "skipped");
          break;
        case "select":
          setSelected((s) => toggleSelected(s, current.tweet_id));
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [current, items.length, help, editingDraft, awaiting, changeStatus, changeReview, confirmPosted, replyOnX, undo, toast]);

  if (projectId == null) {
    return (
      <div className="page">
        <PageHeader title="Opportunities" />
        <Card>
          <EmptyState
            icon={<IconInbox />}
            title="Create a project to get started"
            action={
              <Button variant="primary" onClick={() => navigate("/projects/new")}>
                New project
              </Button>
            }
          />
        </Card>
      </div>
    );
  }

  const filtered = JSON.stringify({ ...filters, search }) !== JSON.stringify({ ...DEFAULT_FILTERS, search: "" });
  const noPostsAtAll = !filtered && page.data && page.data.total === 0;
  const moreCount = (filters.topic ? 1 : 0) + (filters.run ? 1 : 0) + (filters.withDrafts ? 1 : 0);

  return (
    <div className="page review">
      <div className="row between" style={{ flexWrap: "nowrap" }}>
        <div className="row tight" style={{ alignItems: "baseline", minWidth: 0, flexWrap: "nowrap" }}>
          <h1 style={{ fontSize: 20 }}>Opportunities</h1>
          <span className="muted small nowrap" title={project?.name}>
            in {project?.name}
          </span>
        </div>
        <Button variant="ghost" size="sm" onClick={() => setHelp(true)}>
          Shortcuts <Kbd>?</Kbd>
        </Button>
      </div>

      <div className="filter-bar" role="search" aria-label="Filter posts">
        <input
          className="input"
          style={{ flex: "1 1 140px", minWidth: 70 }}
          type="search"
          placeholder="Search text or @author"
          value={filters.search}
          onChange={(e) => setFilters({ ...filters, search: e.target.value })}
          aria-label="Search"
          data-testid="review-search"
        />
        <select
          className="select"
          style={{ width: "auto" }}
          value={filters.view}
          onChange={(e) => setFilters({ ...filters, view: e.target.value as QueueView })}
          aria-label="Show"
          data-testid="review-status"
        >
          {VIEW_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <div className="row tight label-toggles" role="group" aria-label="Only these labels (none chosen: all)" style={{ flexWrap: "nowrap", gap: 4 }}>
          {(["green", "yellow", "red"] as Label[]).map((l) => (
            <button
              key={l}
              type="button"
              className="pill-toggle"
              aria-pressed={filters.labels.includes(l)}
              onClick={() => setFilters({ ...filters, labels: filters.labels.includes(l) ? filters.labels.filter((x) => x !== l) : [...filters.labels, l] })}
              data-testid={`review-label-${l}`}
            >
              <LabelPill label={l} />
            </button>
          ))}
        </div>
        <select
          className="select"
          style={{ width: "auto" }}
          value={filters.sort}
          onChange={(e) => setFilters({ ...filters, sort: e.target.value as SortKey })}
          aria-label="Sort"
          title="Order"
          data-testid="review-sort"
        >
          {SORT_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <details className="more-filters" data-testid="review-more-filters">
          <summary className="btn sm nowrap">More filters{moreCount > 0 ? ` (${moreCount})` : ""}</summary>
          <div className="more-filters-panel">
            <select className="select" value={filters.topic} onChange={(e) => setFilters({ ...filters, topic: e.target.value })} aria-label="Topic">
              <option value="">All topics</option>
              {topics.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <select className="select" value={filters.run} onChange={(e) => setFilters({ ...filters, run: e.target.value })} aria-label="Run">
              <option value="">All runs</option>
              {(runs.data ?? []).slice(0, 20).map((r) => (
                <option key={r.run_id} value={r.run_id}>
                  Run of {new Date(r.created_at * 1000).toLocaleDateString()} ({formatInt(r.done)} posts)
                </option>
              ))}
            </select>
            <Checkbox checked={filters.withDrafts} onChange={(withDrafts) => setFilters({ ...filters, withDrafts })}>
              Only posts with reply drafts
            </Checkbox>
          </div>
        </details>
        {filtered ? (
          <Button size="sm" variant="ghost" onClick={() => setFilters(DEFAULT_FILTERS)}>
            Clear
          </Button>
        ) : null}
      </div>

      {selected.size > 0 ? (
        <div className="notice info" data-testid="bulk-bar">
          <div className="notice-body">
            <strong>{plural(selected.size, "post")} selected</strong>
          </div>
          <div className="row tight">
            <Button size="sm" icon={<IconSend />} onClick={() => changeStatus([...selected], "posted")} data-testid="bulk-posted">
              Mark posted
            </Button>
            <Button size="sm" icon={<IconSkip />} onClick={() => changeStatus([...selected], "skipped")} data-testid="bulk-skip">
              Skip
            </Button>
            <Button size="sm" onClick={() => changeStatus([...selected], "pending")}>
              Back to queue
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
              Clear selection
            </Button>
          </div>
        </div>
      ) : null}

      <ErrorNotice error={page.error} onRetry={() => void page.refetch()} />
      {page.isLoading ? <Loading what="Loading posts" /> : null}

      {noPostsAtAll ? (
        <Card>
          <EmptyState
            icon={<IconInbox />}
            title="Nothing to review yet"
            testId="review-empty"
            action={
              <div className="row">
                <Button icon={<IconUpload />} onClick={() => navigate("/import")}>
                  Import posts
                </Button>
                <Button variant="primary" icon={<IconPlay />} onClick={() => navigate("/run")}>
                  Start a run
                </Button>
              </div>
            }
          >
            Import an export of fresh posts, then start a run: the best posts and their reply drafts show up here.
          </EmptyState>
        </Card>
      ) : null}

      {!noPostsAtAll && page.data && items.length === 0 ? (
        <Card>
          <EmptyState
            icon={<IconCheck />}
            title={filters.view === "to_review" && !filtered ? "All caught up" : "Nothing matches these filters"}
            testId="review-none"
            action={
              filtered ? (
                <Button onClick={() => setFilters(DEFAULT_FILTERS)}>Clear filters</Button>
              ) : (
                <Button variant="primary" icon={<IconPlay />} onClick={() => navigate("/run")}>
                  Start a run
                </Button>
              )
            }
          >
            {filtered ? "Try another view, label or topic." : "Every post has been handled. Import fresh posts and start a run for more."}
          </EmptyState>
        </Card>
      ) : null}

      {items.length > 0 && current ? (
        <div className="queue">
          <div className="queue-side">
            <span className="muted small" data-testid="review-count">
              {plural(page.data?.total ?? items.length, "post")}
              {page.data && page.data.total > items.length ? `, showing the best ${formatInt(items.length)}` : ""}
            </span>
            <div className="queue-list" ref={listRef} role="listbox" aria-label="Posts" data-testid="review-list">
              {items.map((o, i) => {
                const live = o.drafts.filter((d) => d.review !== "rejected").length;
                return (
                  <div
                    key={o.tweet_id}
                    className={`queue-item ${o.status === "posted" || o.status === "skipped" ? "done" : ""}`}
                    role="option"
                    aria-selected={o === current}
                    aria-current={o === current}
                    tabIndex={o === current ? 0 : -1}
                    onClick={() => setIndex(i)}
                    data-testid="review-item"
                    data-tweet-id={o.tweet_id}
                  >
                    <input
                      type="checkbox"
                      checked={selected.has(o.tweet_id)}
                      onChange={() => setSelected((s) => toggleSelected(s, o.tweet_id))}
                      onClick={(e) => e.stopPropagation()}
                      aria-label="Select for bulk actions"
                      style={{ marginTop: 3, accentColor: "var(--accent)" }}
                    />
                    <div className="stack grow" style={{ gap: 2, minWidth: 0 }}>
                      <div className="qi-meta">
                        <LabelPill label={o.label} />
                        <strong className="nowrap" title="Score from 0 to 100">
                          {toScore100(o.total)}
                        </strong>
                        <span className="qi-handle" title={`@${o.handle}`}>
                          @{o.handle}
                        </span>
                        <span className="grow" />
                        <span className="nowrap">{formatAge(o.posted_at, now)}</span>
                      </div>
                      <span className="qi-text">{o.text}</span>
                      {live > 0 ? <span className="qi-drafts">{plural(live, "draft")}</span> : null}
                    </div>
                  </div>
                );
              })}
            </div>
          </div>
          <div className="queue-detail">
            <PostDetail
              key={current.tweet_id}
              o={current}
              weights={weights}
              now={now}
              editingDraft={editingDraft}
              setEditingDraft={setEditingDraft}
              onStatus={changeStatus}
              onReply={(d) => replyOnX(current, d)}
              onReview={(d, r) => changeReview(current, d, r)}
              awaitingPosted={awaiting === current.tweet_id}
              onConfirmPosted={confirmPosted}
              onCancelPosted={() => setAwaiting(null)}
            />
          </div>
        </div>
      ) : null}

      {help ? (
        <Dialog title="Keyboard shortcuts" onClose={() => setHelp(false)} actions={<Button onClick={() => setHelp(false)}>Close</Button>}>
          <table className="table">
            <tbody>
              {REVIEW_SHORTCUTS.map((s) => (
                <tr key={s.keys}>
                  <td className="nowrap">
                    {s.keys.split(" / ").map((k, i) => (
                      <span key={k}>
                        {i > 0 ? " / " : null}
                        <Kbd>{k}</Kbd>
                      </span>
                    ))}
                  </td>
                  <td>{s.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Dialog>
      ) : null}
    </div>
  );
}
