// The project editor: topics, voice, sources, reply types, and how posts are ranked.

import { useEffect, useId, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import type { ProjectSettings, ReplyType, Topic } from "../api";
import { REPLY_TYPES } from "../api";
import { useCurrentProject } from "../components/ProjectContext";
import { useToast } from "../components/toast";
import { Button, Card, Checkbox, ConfirmButton, ErrorNotice, Field, Fold, Loading, Notice, NumberInput, PageHeader } from "../components/ui";
import { IconPlus, IconSparkle, IconTrash } from "../components/icons";
import { fromScore100, replyTypeName, toScore100 } from "../lib/format";
import { PROJECT_FILE_FILTERS, pickSavePath } from "../lib/platform";
import { api, type SettingsProblem } from "../api";
import { useDebounced } from "../lib/hooks";
import {
  formatHandles,
  isDefaultScoring,
  linesToList,
  listToLines,
  parseHandles,
  parseKeywords,
  projectFileName,
  resetScoring,
  toggleReplyType,
} from "../lib/project";
import {
  useCreateProject,
  useDefaultProjectSettings,
  useProjectProblems,
  useDeleteProject,
  useExportProjectFile,
  useModels,
  useProject,
  useSuggestExamples,
  useUpdateProject,
} from "../lib/queries";
import { GLOSSARY, termTitle } from "../lib/glossary";

/** A 0–1 threshold as the 0–100 the field shows, keeping "not a number yet" while typing. */
function score100OrNaN(v: number): number {
  return Number.isFinite(v) ? toScore100(v) : Number.NaN;
}

/** A textarea or input editing a list, keeping what is typed (blank lines, trailing commas). */
function ListInput({
  value,
  onChange,
  parse,
  format,
  multiline = true,
  id,
  placeholder,
  rows = 3,
  testId,
}: {
  value: string[];
  onChange: (v: string[]) => void;
  parse: (t: string) => string[];
  format: (l: string[]) => string;
  multiline?: boolean;
  id?: string;
  placeholder?: string;
  rows?: number;
  testId?: string;
}) {
  const [text, setText] = useState(() => format(value));
  const last = useRef(value);
  useEffect(() => {
    if (JSON.stringify(value) !== JSON.stringify(last.current) && JSON.stringify(parse(text)) !== JSON.stringify(value)) setText(format(value));
    last.current = value;
  }, [value, text, parse, format]);
  const change = (t: string) => {
    setText(t);
    const list = parse(t);
    last.current = list;
    onChange(list);
  };
  return multiline ? (
    <textarea id={id} className="textarea" rows={rows} value={text} placeholder={placeholder} onChange={(e) => change(e.target.value)} data-testid={testId} />
  ) : (
    <input id={id} className="input" value={text} placeholder={placeholder} onChange={(e) => change(e.target.value)} data-testid={testId} />
  );
}

function TopicEditor({
  topic,
  index,
  projectId,
  onChange,
  onRemove,
}: {
  topic: Topic;
  index: number;
  projectId: number | null;
  onChange: (t: Topic) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const suggest = useSuggestExamples();
  const toast = useToast();
  const onSuggest = () => {
    if (projectId == null) return;
    suggest.mutate(
      { projectId, label: topic.label, description: topic.description },
      {
        onSuccess: (examples) => {
          const merged = [...topic.examples, ...examples.filter((e) => !topic.examples.includes(e))];
          onChange({ ...topic, examples: merged });
          toast.ok(`Added ${examples.length} example posts. Keep the ones that fit.`);
        },
      },
    );
  };
  return (
    <div className="topic-card" data-testid={`topic-${index}`}>
      <div className="row">
        <div className="grow">
          <Field label="Topic" htmlFor={`${id}-label`}>
            <input
              id={`${id}-label`}
              className="input"
              value={topic.label}
              placeholder="e.g. cold email"
              onChange={(e) => onChange({ ...topic, label: e.target.value })}
              data-testid={`topic-label-${index}`}
            />
          </Field>
        </div>
        <Button variant="ghost" size="sm" icon={<IconTrash />} onClick={onRemove} aria-label={`Remove topic ${topic.label || index + 1}`}>
          Remove
        </Button>
      </div>
      <Field label="What it covers" hint="A sentence or two in the words people use in posts." htmlFor={`${id}-desc`}>
        <textarea
          id={`${id}-desc`}
          className="textarea"
          rows={3}
          value={topic.description}
          onChange={(e) => onChange({ ...topic, description: e.target.value })}
        />
      </Field>
      <Field label="Example posts" hint="One per line. Real posts you would love to reply to make the matching much better." htmlFor={`${id}-ex`}>
        <ListInput
          id={`${id}-ex`}
          value={topic.examples}
          onChange={(examples) => onChange({ ...topic, examples })}
          parse={linesToList}
          format={listToLines}
          rows={Math.min(8, Math.max(3, topic.examples.length * 2 + 1))}
        />
      </Field>
      <div className="row tight">
        <Button
          size="sm"
          icon={<IconSparkle />}
          busy={suggest.isPending}
          disabled={projectId == null || !topic.label.trim()}
          onClick={onSuggest}
          data-testid={`topic-suggest-${index}`}
        >
          {suggest.isPending ? "Asking Gemini…" : "Suggest examples"}
        </Button>
        {projectId == null ? <span className="muted small">Save the project first to get suggestions.</span> : null}
      </div>
      <ErrorNotice error={suggest.error} />
    </div>
  );
}

export function ProjectEditorScreen() {
  const params = useParams();
  const editingId = params.id ? Number(params.id) : null;
  const existing = useProject(editingId);
  const [form, setForm] = useState<ProjectSettings | null>(null);
  // A new project starts from the engine's own defaults; they also label the scoring fields.
  const defaults = useDefaultProjectSettings(true);
  const d = defaults.data;
  const [showProblems, setShowProblems] = useState(false);
  // What to fix, from the engine (ProjectSettings::problems), a moment after each change; the
  // save button asks again for the form as it is.
  const checked = useProjectProblems(useDebounced(form, 250));
  const [problemsAtSave, setProblemsAtSave] = useState<SettingsProblem[] | null>(null);
  const [dirty, setDirty] = useState(false);
  const create = useCreateProject();
  const update = useUpdateProject();
  const remove = useDeleteProject();
  const exportFile = useExportProjectFile();
  const models = useModels();
  const { setProjectId } = useCurrentProject();
  const navigate = useNavigate();
  const toast = useToast();

  useEffect(() => {
    if (existing.data && (form == null || !dirty)) setForm(structuredClone(existing.data.settings));
  }, [existing.data]);
  useEffect(() => {
    if (editingId == null && defaults.data && !dirty) setForm({ ...structuredClone(defaults.data), name: form?.name ?? "" });
  }, [defaults.data]);

  if (editingId != null && existing.isLoading)
    return (
      <div className="page">
        <Loading what="Loading the project" />
      </div>
    );
  if (editingId != null && existing.error)
    return (
      <div className="page">
        <ErrorNotice error={existing.error} onRetry={() => void existing.refetch()} />
      </div>
    );
  if (!form) return null;

  const set = (patch: Partial<ProjectSettings>) => {
    setForm({ ...form, ...patch });
    setProblemsAtSave(null);
    setDirty(true);
  };
  const problems = problemsAtSave ?? checked.data ?? [];
  const problem = (field: string) => (showProblems ? (problems.find((p) => p.field === field)?.message ?? null) : null);
  const saving = create.isPending || update.isPending;

  const save = async () => {
    setShowProblems(true);
    let found: SettingsProblem[];
    try {
      found = await api().projectSettingsProblems(form);
    } catch (e) {
      toast.error(e);
      return;
    }
    setProblemsAtSave(found);
    if (found.length > 0) {
      // Take the person to the first thing to fix.
      const first = found[0]!.field;
      const target =
        first === "name" ? document.getElementById("p-name") : document.querySelector<HTMLElement>(`[data-testid="topic-label-${first.split(".")[1]}"]`);
      target?.focus();
      return;
    }
    if (editingId == null) {
      create.mutate(form, {
        onSuccess: (p) => {
          setDirty(false);
          setProjectId(p.id);
          toast.ok(`Project "${p.settings.name}" created.`);
          navigate(`/projects/${p.id}`, { replace: true });
        },
      });
    } else {
      update.mutate(
        { id: editingId, settings: form },
        {
          onSuccess: () => {
            setDirty(false);
            toast.ok("Saved.");
          },
        },
      );
    }
  };

  const onExport = async () => {
    if (editingId == null) return;
    try {
      const path = await pickSavePath("Save the project file", projectFileName(form.name), PROJECT_FILE_FILTERS);
      if (!path) return;
      await exportFile.mutateAsync({ id: editingId, path });
      toast.ok(`Saved to ${path}`);
    } catch (e) {
      toast.error(e);
    }
  };

  const topics = form.topics;
  const setTopic = (i: number, t: Topic) => set({ topics: topics.map((x, j) => (j === i ? t : x)) });

  return (
    <div className="page narrow">
      <PageHeader
        title={editingId == null ? "New project" : form.name || "Project"}
        lead={
          editingId == null
            ? "Tell Comment Finder what you want to be part of and how you sound."
            : "Changes apply to the next run. Existing reply drafts stay as they are."
        }
        actions={
          editingId != null ? (
            <Button onClick={() => void onExport()} busy={exportFile.isPending} data-testid="project-export-file">
              Export file
            </Button>
          ) : null
        }
      />

      <form
        className="stack loose"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Card title="Name">
          <Field label="Project name" htmlFor="p-name" error={problem("name")} hint="Usually the brand or client.">
            <input
              id="p-name"
              className="input"
              value={form.name}
              autoFocus={editingId == null}
              onChange={(e) => set({ name: e.target.value })}
              data-testid="project-name-input"
              aria-invalid={problem("name") ? true : undefined}
            />
          </Field>
        </Card>

        <Card title="Topics" lead="Posts are matched against these. Three to six focused topics work best.">
          {topics.length === 0 ? <Notice kind="info">No topics yet. Add the first one: without topics every post looks equally relevant.</Notice> : null}
          {topics.map((t, i) => (
            <div key={i} className="stack tight">
              <TopicEditor
                topic={t}
                index={i}
                projectId={editingId}
                onChange={(nt) => setTopic(i, nt)}
                onRemove={() => set({ topics: topics.filter((_, j) => j !== i) })}
              />
              {problem(`topics.${i}.label`) ? <span className="field-error small">{problem(`topics.${i}.label`)}</span> : null}
            </div>
          ))}
          <div>
            <Button icon={<IconPlus />} onClick={() => set({ topics: [...topics, { label: "", description: "", examples: [] }] })} data-testid="topic-add">
              Add topic
            </Button>
          </div>
        </Card>

        <Card title="Voice" lead="How replies should sound. Drafts follow these rules and learn from the examples.">
          <Field label="Who is replying" htmlFor="v-persona" hint='e.g. "A hands-on B2B SaaS marketer: direct, practical and friendly".'>
            <textarea
              id="v-persona"
              className="textarea"
              rows={2}
              value={form.voice.persona}
              onChange={(e) => set({ voice: { ...form.voice, persona: e.target.value } })}
            />
          </Field>
          <Field label="Rules" hint="One per line, e.g. “No hashtags or emoji”." htmlFor="v-rules">
            <ListInput
              id="v-rules"
              value={form.voice.rules}
              onChange={(rules) => set({ voice: { ...form.voice, rules } })}
              parse={linesToList}
              format={listToLines}
            />
          </Field>
          <div className="grid-2">
            <Field label="Replies that sound right" hint="One per line." htmlFor="v-good">
              <ListInput
                id="v-good"
                value={form.voice.good_examples}
                onChange={(good_examples) => set({ voice: { ...form.voice, good_examples } })}
                parse={linesToList}
                format={listToLines}
              />
            </Field>
            <Field label="Replies to avoid" hint="One per line." htmlFor="v-bad">
              <ListInput
                id="v-bad"
                value={form.voice.bad_examples}
                onChange={(bad_examples) => set({ voice: { ...form.voice, bad_examples } })}
                parse={linesToList}
                format={listToLines}
              />
            </Field>
          </div>
        </Card>

        <Card title="Reply types" lead="Which kinds of drafts to write for each post.">
          <div className="row">
            {REPLY_TYPES.map((t: ReplyType) => (
              <Checkbox
                key={t}
                checked={form.reply_types.includes(t)}
                onChange={() => set({ reply_types: toggleReplyType(form.reply_types, t) })}
                testId={`reply-type-${t}`}
              >
                {replyTypeName(t)}
              </Checkbox>
            ))}
          </div>
          {problem("reply_types") ? <span className="field-error small">{problem("reply_types")}</span> : null}
        </Card>

        <Card title="Sources" lead="Posts from authors or with words you avoid never cost anything: they are left out before any AI is used.">
          <Field label="Authors to favour" hint="Their posts rank higher. Separate with commas." htmlFor="s-fav">
            <ListInput
              id="s-fav"
              multiline={false}
              value={form.sources.favour_authors}
              onChange={(favour_authors) => set({ sources: { ...form.sources, favour_authors } })}
              parse={parseHandles}
              format={formatHandles}
              placeholder="@lennysan, @aprildunford"
            />
          </Field>
          <Field label="Authors to avoid" hint="Separate with commas." htmlFor="s-avoid">
            <ListInput
              id="s-avoid"
              multiline={false}
              value={form.sources.avoid_authors}
              onChange={(avoid_authors) => set({ sources: { ...form.sources, avoid_authors } })}
              parse={parseHandles}
              format={formatHandles}
              placeholder="@spam_account"
            />
          </Field>
          <Field label="Words and phrases to avoid" hint={'Whole words: "trump" does not match "trumpet". Separate with commas.'} htmlFor="s-kw">
            <ListInput
              id="s-kw"
              multiline={false}
              value={form.sources.avoid_keywords}
              onChange={(avoid_keywords) => set({ sources: { ...form.sources, avoid_keywords } })}
              parse={parseKeywords}
              format={(l) => l.join(", ")}
              placeholder="giveaway, airdrop"
            />
          </Field>
        </Card>

        <Card
          title="How posts are ranked"
          lead="Each post gets a score from 0 to 100. These weights say what matters most; the thresholds turn the score into green, yellow or red."
          actions={
            <Button size="sm" disabled={!d || isDefaultScoring(form, d)} onClick={() => d && set(resetScoring(form, d))} data-testid="scoring-reset">
              Reset to defaults
            </Button>
          }
        >
          <div className="grid-4">
            <Field label="Momentum" hint={`How fast it's taking off (default ${d?.weights.velocity ?? "…"})`} htmlFor="w-vel">
              <NumberInput
                id="w-vel"
                value={form.weights.velocity}
                min={0}
                step={0.05}
                onChange={(velocity) => set({ weights: { ...form.weights, velocity } })}
              />
            </Field>
            <Field label="On topic" hint={`Match with your topics (default ${d?.weights.relevance ?? "…"})`} htmlFor="w-rel">
              <NumberInput
                id="w-rel"
                value={form.weights.relevance}
                min={0}
                step={0.05}
                onChange={(relevance) => set({ weights: { ...form.weights, relevance } })}
              />
            </Field>
            <Field label="Open to replies" hint={`Questions rank higher (default ${d?.weights.openness ?? "…"})`} htmlFor="w-open">
              <NumberInput
                id="w-open"
                value={form.weights.openness}
                min={0}
                step={0.05}
                onChange={(openness) => set({ weights: { ...form.weights, openness } })}
              />
            </Field>
            <Field label="Author" hint={`Favoured authors rank higher (default ${d?.weights.author ?? "…"})`} htmlFor="w-auth">
              <NumberInput id="w-auth" value={form.weights.author} min={0} step={0.05} onChange={(author) => set({ weights: { ...form.weights, author } })} />
            </Field>
          </div>
          {problem("weights") ? <span className="field-error small">{problem("weights")}</span> : null}
          <div className="grid-2">
            <Field label="Green from (0–100)" hint={`Reply now (default ${d ? toScore100(d.thresholds.green) : "…"})`} htmlFor="t-green">
              <NumberInput
                id="t-green"
                value={score100OrNaN(form.thresholds.green)}
                min={0}
                max={100}
                step={5}
                onChange={(green) => set({ thresholds: { ...form.thresholds, green: fromScore100(green) } })}
                testId="threshold-green"
              />
            </Field>
            <Field label="Yellow from (0–100)" hint={`Worth a look (default ${d ? toScore100(d.thresholds.yellow) : "…"}); below is red`} htmlFor="t-yellow">
              <NumberInput
                id="t-yellow"
                value={score100OrNaN(form.thresholds.yellow)}
                min={0}
                max={100}
                step={5}
                onChange={(yellow) => set({ thresholds: { ...form.thresholds, yellow: fromScore100(yellow) } })}
                testId="threshold-yellow"
              />
            </Field>
          </div>
          {problem("thresholds") ? <span className="field-error small">{problem("thresholds")}</span> : null}
        </Card>

        <Fold title="Advanced">
          <div className="grid-2">
            <Field label="Model for reply drafts" htmlFor="g-model">
              <select
                id="g-model"
                className="select"
                value={form.generation.model}
                onChange={(e) => set({ generation: { ...form.generation, model: e.target.value } })}
              >
                {[...new Set([form.generation.model, ...(models.data ?? [])])].map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label={<span title={termTitle("creativity")}>{GLOSSARY.creativity.words}</span>}
              hint="0 is consistent, 1 is more varied."
              htmlFor="g-temp"
              error={problem("generation")}
            >
              <NumberInput
                id="g-temp"
                value={form.generation.temperature}
                min={0}
                max={2}
                step={0.1}
                onChange={(temperature) => set({ generation: { ...form.generation, temperature } })}
              />
            </Field>
          </div>
          <Field label="Languages" hint='Language codes, e.g. "en, de". Posts in other languages are left out; unknown languages pass.' htmlFor="g-lang">
            <ListInput
              id="g-lang"
              multiline={false}
              value={form.languages}
              onChange={(languages) => set({ languages })}
              parse={parseKeywords}
              format={(l) => l.join(", ")}
            />
          </Field>
        </Fold>

        {showProblems && problems.length > 0 ? (
          <Notice kind="error" title="A few things need fixing before saving:">
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {problems.map((p) => (
                <li key={p.field + p.message}>{p.message}</li>
              ))}
            </ul>
          </Notice>
        ) : null}
        <ErrorNotice error={create.error ?? update.error ?? remove.error} testId="project-save-error" />

        <div className="row between">
          <div className="row tight">
            <Button type="submit" variant="primary" size="lg" busy={saving} data-testid="project-save">
              {editingId == null ? "Create project" : "Save changes"}
            </Button>
            <Button variant="ghost" onClick={() => navigate("/projects")}>
              {dirty ? "Cancel" : "Back to projects"}
            </Button>
            {dirty && editingId != null ? <span className="muted small">Unsaved changes</span> : null}
          </div>
          {editingId != null ? (
            <ConfirmButton
              variant="danger"
              busy={remove.isPending}
              icon={<IconTrash />}
              data-testid="project-delete"
              confirmTitle={`Delete "${form.name}"?`}
              confirmText="Its posts, reply drafts and runs are deleted. Money already spent stays in the cost history."
              confirmLabel="Delete project"
              onConfirm={() =>
                remove.mutate(editingId, {
                  onSuccess: () => {
                    toast.ok("Project deleted.");
                    navigate("/projects");
                  },
                })
              }
            >
              Delete project
            </ConfirmButton>
          ) : null}
        </div>
      </form>
    </div>
  );
}
