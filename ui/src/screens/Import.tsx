// Import posts: pick an export file or drop it on the window. Shows what was added, updated
// and skipped, and why.

import { useEffect, useState, type DragEvent } from "react";
import { useNavigate } from "react-router";
import { insideTauri } from "../api";
import type { ImportSource } from "../api";
import { PathFold } from "../components/PathFold";
import { useCurrentProject } from "../components/ProjectContext";
import { Button, Card, EmptyState, ErrorNotice, Fold, Notice, PageHeader, Spinner, Stat } from "../components/ui";
import { IconFile, IconFolder, IconPlay, IconUpload } from "../components/icons";
import { formatInt, plural } from "../lib/format";
import { importHeadline, skipReasonCounts } from "../lib/importText";
import { POST_FILE_FILTERS, pickFile } from "../lib/platform";
import { useAppInfo, useImportPosts } from "../lib/queries";

export function ImportScreen() {
  const { project, projectId } = useCurrentProject();
  const importPosts = useImportPosts();
  const info = useAppInfo();
  const [over, setOver] = useState(false);
  const [fileName, setFileName] = useState<string | null>(null);
  const navigate = useNavigate();

  const run = (source: ImportSource, name: string) => {
    if (projectId == null) return;
    setFileName(name);
    importPosts.mutate({ projectId, source });
  };

  // Inside the desktop app the window receives dropped files as paths.
  useEffect(() => {
    if (!insideTauri() || projectId == null) return;
    let stop: (() => void) | null = null;
    let cancelled = false;
    void import("@tauri-apps/api/webview").then(({ getCurrentWebview }) =>
      getCurrentWebview()
        .onDragDropEvent((e) => {
          const p = e.payload;
          if (p.type === "over" || p.type === "enter") setOver(true);
          else if (p.type === "leave") setOver(false);
          else if (p.type === "drop") {
            setOver(false);
            const path = p.paths[0];
            if (path) run({ kind: "path", path }, path.split(/[\\/]/).pop() ?? path);
          }
        })
        .then((u) => {
          if (cancelled) u();
          else stop = u;
        }),
    );
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [projectId]);

  const onPick = async () => {
    const path = await pickFile("Choose a post export", POST_FILE_FILTERS, "~/Downloads/dataset_tweet-scraper.json").catch(() => null);
    if (path) run({ kind: "path", path }, path.split(/[\\/]/).pop() ?? path);
  };

  // The desktop window handles drops natively (above), as paths the shell streams from disk;
  // the page only stops the webview from opening the file itself.
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
  };

  const report = importPosts.data;

  if (projectId == null) {
    return (
      <div className="page narrow">
        <PageHeader title="Import posts" />
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
            Posts are imported into a project, so its topics can rank them.
          </EmptyState>
        </Card>
      </div>
    );
  }

  return (
    <div className="page narrow">
      <PageHeader
        title="Import posts"
        lead={
          <>
            Add posts to <strong>{project?.name}</strong> from an export file. Importing the same posts again refreshes their likes, replies and views.
          </>
        }
      />

      <div
        className={`dropzone ${over ? "over" : ""}`}
        data-testid="import-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => void onDrop(e)}
      >
        <IconUpload width={40} height={40} className="faint" />
        <h2>{over ? "Drop to import" : "Drop an export file here"}</h2>
        <p className="muted">Apify tweet-scraper (JSON, JSON Lines or CSV) or an X API search result.</p>
        <Button variant="primary" size="lg" icon={<IconFile />} onClick={() => void onPick()} busy={importPosts.isPending} data-testid="import-pick">
          Choose a file…
        </Button>
      </div>

      <PathFold
        title="Advanced: import from a file path"
        action="Import"
        placeholder={info.data?.imports_dir ? `${info.data.imports_dir}/dataset.json` : "/home/you/Downloads/dataset.json"}
        busy={importPosts.isPending}
        onSubmit={(path) => run({ kind: "path", path }, path.split(/[\\/]/).pop() ?? path)}
        testId="import-path"
        folder={info.data?.imports_dir}
      />

      {!report && !importPosts.isPending ? (
        <Card title="Where export files come from">
          <ul className="stack tight" style={{ margin: 0, paddingLeft: 20 }}>
            <li>
              <strong>Apify:</strong> run the “Tweet Scraper” actor with your search terms, open the dataset and download it as JSON or CSV.
            </li>
            <li>
              <strong>X API:</strong> save the JSON answer of a recent-search request (one page or several).
            </li>
            <li>Posts that are reposts, spam, or from authors and words you avoid are kept but never cost anything in a run.</li>
          </ul>
        </Card>
      ) : null}

      {importPosts.isPending ? (
        <Card>
          <div className="row" data-testid="import-progress">
            <Spinner /> Reading {fileName ?? "the file"}… Large files take a few seconds.
          </div>
        </Card>
      ) : null}

      <ErrorNotice error={importPosts.error} testId="import-error" />

      {report && !importPosts.isPending ? (
        <Card title={importHeadline(report)} lead={fileName ? `From ${fileName}` : undefined} testId="import-result">
          <div className="grid-3">
            <Stat label="New posts" value={formatInt(report.added)} testId="import-added" />
            <Stat label="Refreshed" value={formatInt(report.updated)} testId="import-updated" />
            <Stat label="Skipped" value={formatInt(report.skipped.length)} testId="import-skipped" />
          </div>
          {report.stopped_early ? (
            <Notice kind="warn" title="The file stopped part-way.">
              {report.stopped_early} The posts before that point were imported.
            </Notice>
          ) : null}
          {report.skipped.length > 0 ? (
            <Fold title={`Why ${plural(report.skipped.length, "item was", "items were")} skipped`} testId="import-skipped-reasons">
              <ul className="small" style={{ margin: 0, paddingLeft: 20 }}>
                {skipReasonCounts(report).map((r) => (
                  <li key={r.reason}>
                    {r.reason}: {plural(r.count, "item")}
                  </li>
                ))}
              </ul>
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th>Where</th>
                      <th>Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.skipped.slice(0, 200).map((s, i) => (
                      <tr key={i}>
                        <td className="nowrap">{s.place}</td>
                        <td>{s.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {report.skipped.length > 200 ? <p className="muted small">And {formatInt(report.skipped.length - 200)} more.</p> : null}
            </Fold>
          ) : null}
          <div className="row">
            <Button variant="primary" icon={<IconPlay />} onClick={() => navigate("/run")} data-testid="import-next-run">
              Find replies for these posts
            </Button>
            <Button variant="ghost" onClick={() => importPosts.reset()}>
              Import another file
            </Button>
          </div>
        </Card>
      ) : null}
    </div>
  );
}
