// Projects: one per brand or client. The list, with import and export of project files.

import { Link, useNavigate } from "react-router";
import { useCurrentProject } from "../components/ProjectContext";
import { useToast } from "../components/toast";
import { Button, Card, EmptyState, ErrorNotice, Loading, PageHeader } from "../components/ui";
import { IconFolder, IconPlus, IconUpload } from "../components/icons";
import { formatDay, formatInt } from "../lib/format";
import { PROJECT_FILE_FILTERS, pickFile, pickSavePath } from "../lib/platform";
import { projectFileName } from "../lib/project";
import { useExportProjectFile, useImportProjectFile, useProjects } from "../lib/queries";

export function ProjectsScreen() {
  const projects = useProjects();
  const { projectId, setProjectId } = useCurrentProject();
  const importFile = useImportProjectFile();
  const exportFile = useExportProjectFile();
  const navigate = useNavigate();
  const toast = useToast();

  const onImport = async () => {
    try {
      const path = await pickFile("Import a project file", PROJECT_FILE_FILTERS, "~/Documents/acme.toml");
      if (!path) return;
      const p = await importFile.mutateAsync(path);
      setProjectId(p.id);
      toast.ok(`Project "${p.settings.name}" added.`);
      navigate(`/projects/${p.id}`);
    } catch (e) {
      toast.error(e);
    }
  };

  const onExport = async (id: number, name: string) => {
    try {
      const path = await pickSavePath("Save the project file", projectFileName(name), PROJECT_FILE_FILTERS);
      if (!path) return;
      const saved = await exportFile.mutateAsync({ id, path });
      toast.ok(`Saved to ${saved}`);
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Projects"
        lead="A project is one brand or client: its topics, its voice and which posts to avoid."
        actions={
          <>
            <Button icon={<IconUpload />} onClick={() => void onImport()} busy={importFile.isPending} data-testid="project-import-file">
              Import project file
            </Button>
            <Button variant="primary" icon={<IconPlus />} onClick={() => navigate("/projects/new")} data-testid="project-new">
              New project
            </Button>
          </>
        }
      />
      {projects.isLoading ? <Loading what="Loading projects" /> : null}
      <ErrorNotice error={projects.error} onRetry={() => void projects.refetch()} />
      {projects.data && projects.data.length === 0 ? (
        <Card>
          <EmptyState
            icon={<IconFolder />}
            title="No projects yet"
            action={
              <Button variant="primary" icon={<IconPlus />} onClick={() => navigate("/projects/new")}>
                Create your first project
              </Button>
            }
          >
            Create a project for your brand: name the topics you want to be part of, and describe how you sound.
          </EmptyState>
        </Card>
      ) : null}
      {projects.data && projects.data.length > 0 ? (
        <Card className="flush">
          <div className="table-wrap">
            <table className="table" data-testid="project-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">Topics</th>
                  <th className="num">Posts</th>
                  <th>Last changed</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {projects.data.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/projects/${p.id}`} data-testid={`project-link-${p.id}`}>
                        <strong>{p.name}</strong>
                      </Link>
                      {p.id === projectId ? (
                        <span className="pill accent plain small" style={{ marginLeft: 8 }}>
                          Current
                        </span>
                      ) : null}
                    </td>
                    <td className="num">{formatInt(p.topics)}</td>
                    <td className="num">{formatInt(p.posts)}</td>
                    <td className="muted">{formatDay(p.updated_at)}</td>
                    <td>
                      <div className="row tight end">
                        {p.id !== projectId ? (
                          <Button size="sm" onClick={() => setProjectId(p.id)}>
                            Work on this
                          </Button>
                        ) : null}
                        <Button size="sm" variant="ghost" onClick={() => void onExport(p.id, p.name)}>
                          Export file
                        </Button>
                        <Button size="sm" onClick={() => navigate(`/projects/${p.id}`)}>
                          Edit
                        </Button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ) : null}
    </div>
  );
}
