// Opportunities: the review queue, best first. Copy a reply, open the post on X, post it by
// hand, mark it posted. Keyboard: j/k move, c copy, o open, a approve, e edit, p posted,
// s skip, x select, ? help.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router";
import type { Draft, Label, Opportunity, OpportunityQuery, PostStatus, SortKey, Weights } from "../apiTypes";
import { useCurrentProject } from "../components/ProjectContext";
import { useToast } from "../components/toast";
import { Button, Card, Checkbox, Dialog, EmptyState, ErrorNotice, Fold, Kbd, LabelPill, Loading, PageHeader } from "../components/ui";
import { IconCheck, IconCopy, IconEdit, IconExternal, IconInbox, IconPlay, IconSend, IconSkip, IconUpload, IconX } from "../components/icons";
import { formatAge, formatCompact, formatInt, formatPercent, plural, replyTypeName } from "../lib/format";
import { useDebounced, useNow } from "../lib/hooks";
import { copyText, openLink } from "../lib/platform";
import { DEFAULT_WEIGHTS } from "../lib/project";
import { matchesStatus, useDraftReview, useEditDraft, useOpportunities, useProject, useRuns, useSetPostStatus, useTopicsInUse } from "../lib/queries";
import {
  bulkDoneText,
  draftText,
  indexAfterRemoval,
  moveIndex,
  orderedDrafts,
  REVIEW_SHORTCUTS,
  reviewShortcut,
  scoreParts,
  toggleSelected,
} from "../lib/review";

const STATUS_OPTIONS: Array<{ value: PostStatus | "all"; label: string }> = [
  { value: "pending", label: "To review" },
  { value: "exported", label: "Exported" },
  { value: "posted", label: "Posted" },
  { value: "skipped", label: "Skipped" },
  { value: "all", label: "All" },
];

const SORT_OPTIONS: Array<{ value: SortKey; label: string }> = [
  { value: "score", label: "Best match" },
  { value: "balanced", label: "Best match × views" },
  { value: "views", label: "Most views" },
  { value: "newest", label: "Newest" },
];

interface Filters {
  labels: Label[];
  status: PostStatus | "all";
  topic: string;
  run: string;
  search: string;
  sort: SortKey;
  withDrafts: boolean;
}

const DEFAULT_FILTERS: Filters = { labels: [], status: "pending", topic: "", run: "", search: "", sort: "score", withDrafts: false };

function inField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

function ScoreBreakdown({ o, weights }: { o: Opportunity; weights: Weights }) {
  const parts = scoreParts(o, weights);
  return (
    <div className="score-bars">
      {parts.map((p) => (
        <div key={p.key} style={{ display: "contents" }}>
          <span title={p.explain}>{p.name}</span>
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
}: {
  draft: Draft;
  first: boolean;
  editing: boolean;
  onEdit: () => void;
  onCancelEdit: () => void;
}) {
  const review = useDraftReview();
  const edit = useEditDraft();
  const toast = useToast();
  const [text, setText] = useState(draftText(draft));
  useEffect(() => setText(draftText(draft)), [draft]);
  const length = [...text].length;

  const copy = async () => {
    try {
      await copyText(draftText(draft));
      toast.ok("Copied. Open the post on X, paste it and post.");
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <div className={`draft ${draft.review}`} data-testid={first ? "draft-first" : "draft"}>
      <div className="row between">
        <strong>{replyTypeName(draft.reply_type)}</strong>
        <span className="row tight">
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
          <Button
            size="sm"
            variant={first ? "primary" : "secondary"}
            icon={<IconCopy />}
            onClick={() => void copy()}
            data-testid={first ? "draft-copy-first" : "draft-copy"}
          >
            Copy
          </Button>
          <Button size="sm" icon={<IconEdit />} onClick={onEdit} data-testid="draft-edit">
            Edit
          </Button>
          {draft.review !== "approved" ? (
            <Button
              size="sm"
              icon={<IconCheck />}
              busy={review.isPending}
              onClick={() => review.mutate({ draftId: draft.id, review: "approved" })}
              data-testid="draft-approve"
            >
              Approve
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => review.mutate({ draftId: draft.id, review: "draft" })}>
              Undo approve
            </Button>
          )}
          {draft.review !== "rejected" ? (
            <Button
              size="sm"
              variant="ghost"
              icon={<IconX />}
              onClick={() => review.mutate({ draftId: draft.id, review: "rejected" })}
              data-testid="draft-reject"
            >
              Reject
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => review.mutate({ draftId: draft.id, review: "draft" })}>
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
}: {
  o: Opportunity;
  weights: Weights;
  now: number;
  editingDraft: number | null;
  setEditingDraft: (id: number | null) => void;
  onStatus: (ids: string[], status: PostStatus) => void;
}) {
  const navigate = useNavigate();
  const toast = useToast();
  const drafts = orderedDrafts(o.drafts);
  const live = drafts.filter((d) => d.review !== "rejected");
  const rejected = drafts.filter((d) => d.review === "rejected");
  return (
    <Card className="stack" testId="post-detail">
      <div className="row between">
        <div className="author">
          <div className="avatar" aria-hidden="true">
            {(o.author_name ?? o.handle).slice(0, 1).toUpperCase()}
          </div>
          <div className="stack" style={{ gap: 0 }}>
            <strong>{o.author_name ?? o.handle}</strong>
            <span className="muted small">
              @{o.handle} · {formatCompact(o.followers)} followers · {formatAge(o.posted_at, now)}
            </span>
          </div>
        </div>
        <div className="row tight">
          <LabelPill label={o.label} />
          <span className="pill plain" title="Score from 0 to 100">
            {Math.round(o.total * 100)}
          </span>
        </div>
      </div>
      <p className="post-text" data-testid="post-text">
        {o.text}
      </p>
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
        {o.status !== "pending" ? <span className="pill plain">{STATUS_OPTIONS.find((s) => s.value === o.status)?.label}</span> : null}
      </div>
      <div className="stack tight">
        <p>
          <strong>Why: </strong>
          <span data-testid="post-why">{o.why}</span>
        </p>
        <Fold title="How the score adds up">
          <ScoreBreakdown o={o} weights={weights} />
        </Fold>
      </div>
      <div className="row tight">
        <Button icon={<IconExternal />} onClick={() => openLink(o.url).catch((e) => toast.error(e))} data-testid="post-open">
          Open on X
        </Button>
        <Button
          variant={o.status === "posted" ? "ghost" : "secondary"}
          icon={<IconSend />}
          onClick={() => onStatus([o.tweet_id], o.status === "posted" ? "pending" : "posted")}
          data-testid="post-mark-posted"
        >
          {o.status === "posted" ? "Not posted" : "Mark posted"}
        </Button>
        <Button
          variant="ghost"
          icon={<IconSkip />}
          onClick={() => onStatus([o.tweet_id], o.status === "skipped" ? "pending" : "skipped")}
          data-testid="post-skip"
        >
          {o.status === "skipped" ? "Back to queue" : "Skip"}
        </Button>
      </div>
      <div className="stack">
        <h3>Reply drafts</h3>
        {live.length === 0 && rejected.length === 0 ? (
          <div className="notice info">
            <div className="notice-body">
              <strong>No reply drafts for this post yet.</strong>
              <span>Start a run to write them{o.label === "red" ? " (include red posts in the run's settings)" : ""}.</span>
            </div>
            <Button size="sm" icon={<IconPlay />} onClick={() => navigate("/run")}>
              Go to Run
            </Button>
          </div>
        ) : null}
        {live.map((d, i) => (
          <DraftCard
            key={d.id}
            draft={d}
            first={i === 0}
            editing={editingDraft === d.id}
            onEdit={() => setEditingDraft(d.id)}
            onCancelEdit={() => setEditingDraft(null)}
          />
        ))}
        {rejected.length > 0 ? (
          <Fold title={`${plural(rejected.length, "rejected draft")}`}>
            {rejected.map((d) => (
              <DraftCard
                key={d.id}
                draft={d}
                first={false}
                editing={editingDraft === d.id}
                onEdit={() => setEditingDraft(d.id)}
                onCancelEdit={() => setEditingDraft(null)}
              />
            ))}
          </Fold>
        ) : null}
      </div>
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
            status: filters.status === "all" ? null : filters.status,
            topic: filters.topic || null,
            run_id: filters.run ? Number(filters.run) : null,
            search,
            sort: filters.sort,
            with_drafts: filters.withDrafts,
            limit: 200,
          },
    [projectId, filters.labels, filters.status, filters.topic, filters.run, search, filters.sort, filters.withDrafts],
  );
  const page = useOpportunities(query);
  const setStatus = useSetPostStatus();
  const review = useDraftReview();
  const toast = useToast();
  const navigate = useNavigate();
  const now = useNow();
  const [index, setIndex] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editingDraft, setEditingDraft] = useState<number | null>(null);
  const [help, setHelp] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);

  // Posts whose status changed leave the list at once (optimistic), unless the filter is "All".
  const items = useMemo(() => (page.data?.items ?? []).filter((o) => matchesStatus(o.status, query?.status ?? null)), [page.data, query?.status]);
  const current = items[Math.min(index, Math.max(0, items.length - 1))] ?? null;
  const weights = details.data?.settings.weights ?? DEFAULT_WEIGHTS;
  const topicsInUse = useTopicsInUse(projectId);
  const topics = useMemo(
    () => [...new Set([...(details.data?.settings.topics.map((t) => t.label) ?? []), ...(topicsInUse.data ?? [])])],
    [details.data, topicsInUse.data],
  );

  useEffect(() => {
    setIndex(0);
    setSelected(new Set());
  }, [projectId, filters.labels, filters.status, filters.topic, filters.run, search, filters.sort, filters.withDrafts]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>('[aria-current="true"]')?.scrollIntoView({ block: "nearest" });
  }, [index]);

  const changeStatus = useCallback(
    (ids: string[], status: PostStatus) => {
      if (projectId == null || ids.length === 0) return;
      const remaining = items.filter((o) => !ids.includes(o.tweet_id) || matchesStatus(status, query?.status ?? null)).length;
      setStatus.mutate(
        { projectId, tweetIds: ids, status },
        {
          onSuccess: () => toast.ok(bulkDoneText(status === "exported" ? "pending" : status, ids.length)),
          onError: (e) => toast.error(e),
        },
      );
      setIndex((i) => indexAfterRemoval(i, remaining));
      setSelected(new Set());
      setEditingDraft(null);
    },
    [projectId, items, query?.status, setStatus, toast],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (help || editingDraft != null) return;
      const action = reviewShortcut({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, inField: inField(e.target) });
      if (!action) return;
      if (action === "help") {
        e.preventDefault();
        setHelp(true);
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
        case "copy":
          if (first)
            copyText(draftText(first)).then(
              () => toast.ok("Copied. Open the post on X, paste it and post."),
              (err) => toast.error(err),
            );
          else toast.ok("This post has no reply drafts yet.");
          break;
        case "open":
          openLink(current.url).catch((err) => toast.error(err));
          break;
        case "approve":
          if (first) review.mutate({ draftId: first.id, review: "approved" }, { onSuccess: () => toast.ok("Reply approved.") });
          break;
        case "edit":
          if (first) setEditingDraft(first.id);
          break;
        case "posted":
          changeStatus([current.tweet_id], "posted");
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
  }, [current, items.length, help, editingDraft, changeStatus, review, toast]);

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

  return (
    <div className="page" style={{ maxWidth: 1280 }}>
      <PageHeader
        title="Opportunities"
        lead={
          <>
            Posts in <strong>{project?.name}</strong>, best first. Copy a reply, open the post on X, paste and post it yourself, then mark it posted.
          </>
        }
        actions={
          <Button variant="ghost" size="sm" onClick={() => setHelp(true)}>
            Keyboard shortcuts <Kbd>?</Kbd>
          </Button>
        }
      />

      <div className="row" role="search" aria-label="Filter posts">
        <input
          className="input"
          style={{ maxWidth: 240 }}
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
          value={filters.status}
          onChange={(e) => setFilters({ ...filters, status: e.target.value as Filters["status"] })}
          aria-label="Status"
          data-testid="review-status"
        >
          {STATUS_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <div className="row tight" role="group" aria-label="Label">
          {(["green", "yellow", "red"] as Label[]).map((l) => (
            <Checkbox
              key={l}
              checked={filters.labels.includes(l)}
              onChange={(on) => setFilters({ ...filters, labels: on ? [...filters.labels, l] : filters.labels.filter((x) => x !== l) })}
              testId={`review-label-${l}`}
            >
              <LabelPill label={l} />
            </Checkbox>
          ))}
        </div>
        <select
          className="select"
          style={{ width: "auto" }}
          value={filters.topic}
          onChange={(e) => setFilters({ ...filters, topic: e.target.value })}
          aria-label="Topic"
        >
          <option value="">All topics</option>
          {topics.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select
          className="select"
          style={{ width: "auto", maxWidth: 220 }}
          value={filters.run}
          onChange={(e) => setFilters({ ...filters, run: e.target.value })}
          aria-label="Run"
        >
          <option value="">All runs</option>
          {(runs.data ?? []).slice(0, 20).map((r) => (
            <option key={r.run_id} value={r.run_id}>
              Run of {new Date(r.created_at * 1000).toLocaleDateString()} ({formatInt(r.done)} posts)
            </option>
          ))}
        </select>
        <select
          className="select"
          style={{ width: "auto" }}
          value={filters.sort}
          onChange={(e) => setFilters({ ...filters, sort: e.target.value as SortKey })}
          aria-label="Sort"
          data-testid="review-sort"
        >
          {SORT_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              Sort: {o.label}
            </option>
          ))}
        </select>
        <Checkbox checked={filters.withDrafts} onChange={(withDrafts) => setFilters({ ...filters, withDrafts })}>
          Only with replies
        </Checkbox>
        {filtered ? (
          <Button size="sm" variant="ghost" onClick={() => setFilters(DEFAULT_FILTERS)}>
            Clear filters
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
            title={filters.status === "pending" && !filtered ? "All caught up" : "Nothing matches these filters"}
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
            {filtered ? "Try another label, status or topic." : "Every post has been handled. Import fresh posts and start a run for more."}
          </EmptyState>
        </Card>
      ) : null}

      {items.length > 0 && current ? (
        <div className="queue">
          <div className="stack tight">
            <span className="muted small" data-testid="review-count">
              {plural(page.data?.total ?? items.length, "post")}
              {page.data && page.data.total > items.length ? `, showing the best ${formatInt(items.length)}` : ""}
            </span>
            <div className="queue-list" ref={listRef} role="listbox" aria-label="Posts" data-testid="review-list">
              {items.map((o, i) => (
                <div
                  key={o.tweet_id}
                  className={`queue-item ${o.status === "posted" || o.status === "skipped" ? "done" : ""}`}
                  role="option"
                  aria-selected={o === current}
                  aria-current={o === current}
                  tabIndex={o === current ? 0 : -1}
                  onClick={() => setIndex(i)}
                  data-testid="review-item"
                >
                  <input
                    type="checkbox"
                    checked={selected.has(o.tweet_id)}
                    onChange={() => setSelected((s) => toggleSelected(s, o.tweet_id))}
                    onClick={(e) => e.stopPropagation()}
                    aria-label="Select for bulk actions"
                    style={{ marginTop: 4, accentColor: "var(--accent)" }}
                  />
                  <div className="stack tight grow">
                    <div className="qi-meta">
                      <LabelPill label={o.label} />
                      <strong className="nowrap" title="Score from 0 to 100">
                        {Math.round(o.total * 100)}
                      </strong>
                      <span className="grow" />
                      <span className="nowrap">{formatAge(o.posted_at, now)}</span>
                    </div>
                    <span className="qi-text">{o.text}</span>
                    <span className="qi-meta">
                      @{o.handle} · {formatCompact(o.followers)} followers
                      {o.drafts.length > 0 ? ` · ${plural(o.drafts.filter((d) => d.review !== "rejected").length, "draft")}` : ""}
                    </span>
                  </div>
                </div>
              ))}
            </div>
          </div>
          <PostDetail
            key={current.tweet_id}
            o={current}
            weights={weights}
            now={now}
            editingDraft={editingDraft}
            setEditingDraft={setEditingDraft}
            onStatus={changeStatus}
          />
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
