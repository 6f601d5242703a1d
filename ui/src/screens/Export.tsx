// Export: a CSV of the best posts and their replies, with the columns people already use,
// safe to open in Excel and Google Sheets.

import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import type { ExportSort, Label, OpportunityQuery, PostStatus } from "../api";
import { PathFold } from "../components/PathFold";
import { useCurrentProject } from "../components/ProjectContext";
import { useToast } from "../components/toast";
import { Button, Card, Checkbox, EmptyState, ErrorNotice, Field, Fold, LabelPill, Notice, NumberInput, PageHeader, Segmented } from "../components/ui";
import { IconDownload, IconFolder } from "../components/icons";
import { plural } from "../lib/format";
import { CSV_FILTERS, datedFileName, pickSavePath } from "../lib/platform";
import { useAppInfo, useExportOpportunities, useOpportunities } from "../lib/queries";
// The columns, in order, as the engine writes them (finder::export::COLUMNS).
import { CSV_COLUMNS } from "../bindings";

export function ExportScreen() {
  const { project, projectId } = useCurrentProject();
  const info = useAppInfo();
  const [labels, setLabels] = useState<Label[]>(["green", "yellow"]);
  const [status, setStatus] = useState<PostStatus | "all">("pending");
  const [sort, setSort] = useState<ExportSort>("score");
  const [limitOn, setLimitOn] = useState(false);
  const [limit, setLimit] = useState(50);
  const [bom, setBom] = useState(false);
  // Off by default: exporting a file for a client must not take posts out of the queue.
  const [markDone, setMarkDone] = useState(false);
  const exportCsv = useExportOpportunities();
  const toast = useToast();
  const navigate = useNavigate();

  const countQuery: OpportunityQuery | null = useMemo(
    () =>
      projectId == null
        ? null
        : {
            project_id: projectId,
            labels,
            status: status === "all" ? null : status,
            topic: null,
            run_id: null,
            search: "",
            sort,
            with_drafts: false,
            limit: 1,
          },
    [projectId, labels, status, sort],
  );
  const count = useOpportunities(countQuery);
  const total = count.data?.total ?? null;
  const rows = total == null ? null : limitOn && Number.isFinite(limit) ? Math.min(total, limit) : total;

  if (projectId == null) {
    return (
      <div className="page narrow">
        <PageHeader title="Export" />
        <Card>
          <EmptyState
            icon={<IconFolder />}
            title="Create a project first"
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

  const exportTo = (path: string) =>
    exportCsv
      .mutateAsync({
        project_id: projectId,
        path,
        labels,
        status: status === "all" ? null : status,
        sort,
        limit: limitOn && Number.isFinite(limit) ? limit : null,
        bom,
        mark_exported: markDone,
      })
      .catch(() => undefined /* shown below */);

  const onExport = async () => {
    try {
      const path = await pickSavePath(
        "Save the CSV",
        datedFileName(
          project?.name
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-|-$/g, "") || "opportunities",
          new Date(),
        ),
        CSV_FILTERS,
      );
      if (!path) return;
      await exportTo(path);
    } catch (e) {
      toast.error(e);
    }
  };

  const result = exportCsv.data;

  return (
    <div className="page narrow">
      <PageHeader
        title="Export"
        lead={
          <>
            A spreadsheet of the best posts in <strong>{project?.name}</strong> with their reply drafts, ready for a client or your team.
          </>
        }
      />

      <Card title="Which posts">
        <Field label="Labels">
          <div className="row">
            {(["green", "yellow", "red"] as Label[]).map((l) => (
              <Checkbox
                key={l}
                checked={labels.includes(l)}
                onChange={(on) => setLabels(on ? [...labels, l] : labels.filter((x) => x !== l))}
                testId={`export-label-${l}`}
              >
                <LabelPill label={l} />
              </Checkbox>
            ))}
          </div>
        </Field>
        <Field label="Status" htmlFor="x-status">
          <select id="x-status" className="select" value={status} onChange={(e) => setStatus(e.target.value as PostStatus | "all")} data-testid="export-status">
            <option value="pending">To review</option>
            <option value="exported">Marked done by an export</option>
            <option value="posted">Posted</option>
            <option value="skipped">Skipped</option>
            <option value="all">All posts</option>
          </select>
        </Field>
        <Field label="Order">
          <Segmented
            label="Order"
            value={sort}
            onChange={setSort}
            options={[
              { value: "score", label: "Best match" },
              { value: "balanced", label: "Best match × views" },
              { value: "views", label: "Most views" },
            ]}
          />
        </Field>
        <div className="row">
          <Checkbox checked={limitOn} onChange={setLimitOn}>
            Only the top
          </Checkbox>
          <NumberInput className="short" value={limit} min={1} onChange={setLimit} testId="export-limit" disabled={!limitOn} />
          <span>posts</span>
        </div>
        <Fold title="Advanced">
          <Checkbox checked={bom} onChange={setBom}>
            Add a byte-order mark (for Excel 2013 and older, which otherwise garble emoji and accents)
          </Checkbox>
          <div className="stack tight">
            <strong className="small">Columns</strong>
            <p className="muted small mono">{CSV_COLUMNS.join(", ")}</p>
            <p className="muted small">Cells that a spreadsheet would run as a formula are made safe. Line breaks, emoji and every language survive.</p>
          </div>
        </Fold>
      </Card>

      <Card title="After exporting">
        <Checkbox checked={markDone} onChange={setMarkDone} testId="export-mark-done">
          Mark exported posts as done
        </Checkbox>
        <p className="muted small" data-testid="export-mark-sentence">
          {markDone
            ? "The posts in this file that are still to review will be marked done: they leave the “To review” list and your next export. Find them under “Marked done by an export”."
            : "Exporting changes nothing: every post stays in your review queue as it is."}
        </p>
      </Card>

      <ErrorNotice error={exportCsv.error} testId="export-error" />

      {result ? (
        <Notice kind="ok" title={`Saved ${plural(result.rows, "post")}.`}>
          <span data-testid="export-result">
            {result.path}
            {result.marked_exported > 0 ? ` · ${plural(result.marked_exported, "post")} marked done.` : " · Nothing in your queue changed."}
          </span>
        </Notice>
      ) : null}

      <div className="row">
        <Button
          variant="primary"
          size="lg"
          icon={<IconDownload />}
          busy={exportCsv.isPending}
          disabled={labels.length === 0 || rows === 0}
          onClick={() => void onExport()}
          data-testid="export-save"
        >
          {rows == null ? "Export CSV…" : rows === 0 ? "Nothing to export" : `Export ${plural(rows, "post")}…`}
        </Button>
        {rows === 0 ? <span className="muted">No posts match. Try other labels or "All posts".</span> : null}
      </div>

      <PathFold
        title="Advanced: save to a file path"
        action="Export"
        placeholder={info.data?.exports_dir ? `${info.data.exports_dir}/today.csv` : "/home/you/Documents/today.csv"}
        busy={exportCsv.isPending}
        onSubmit={(p) => void exportTo(p)}
        testId="export-path"
        folder={info.data?.exports_dir}
      />
    </div>
  );
}
