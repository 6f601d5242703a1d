// Settings: keys (status only), plan and limits, monthly budget, the price table, the data
// folder and the logs.

import { useEffect, useState } from "react";
import { insideTauri } from "../api";
import type { LimitSettings, PriceInput, PriceRow } from "../api";
import { KeyForm } from "../components/KeyForm";
import { TierPicker } from "../components/TierPicker";
import { useToast } from "../components/toast";
import { Button, Card, ErrorNotice, Fold, Loading, Notice, PageHeader, Segmented } from "../components/ui";
import { IconFolder, IconRefresh } from "../components/icons";
import { chooseTheme, savedTheme, type ThemeChoice } from "../lib/theme";
import { termTitle } from "../lib/glossary";
import { formatDay, plural } from "../lib/format";
import { moneyText, useMoney } from "../lib/money";
import { api } from "../api";
import {
  useAppInfo,
  useCheckKey,
  useKeyStatus,
  useLimits,
  useLogs,
  usePrices,
  useRevealFolder,
  useSetBudget,
  useConfirmGeminiServer,
  useSetGeminiBaseUrl,
  useSetPrice,
} from "../lib/queries";

function BudgetForm() {
  const limits = useLimits();
  const save = useSetBudget();
  const toast = useToast();
  const current = limits.data?.monthly_budget_picos ?? null;
  const money = useMoney([current]);
  const currentText = money.input(current);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setText(currentText), [currentText]);
  const saveBudget = (picos: number | null) =>
    save.mutate(picos, {
      onSuccess: () => {
        if (picos == null) toast.ok("Budget removed.");
        else void moneyText(picos).then((amount) => toast.ok(`Budget set to ${amount} a month.`));
      },
    });
  return (
    <form
      className="stack tight"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() === "") {
          saveBudget(null);
          return;
        }
        // The engine reads the amount typed.
        void api()
          .readBudget(text, null)
          .then(
            (reading) => {
              setProblem(reading.problem);
              if (reading.picos != null) saveBudget(reading.picos);
            },
            (err: { message?: string }) => setProblem(err.message ?? null),
          );
      }}
    >
      <label htmlFor="budget" className="field-label">
        <strong>Monthly budget</strong>
      </label>
      <span className="muted small">Shown on the Costs screen. Leave empty for none.</span>
      <div className="row tight">
        <span>$</span>
        <input
          id="budget"
          className="input short"
          inputMode="decimal"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setProblem(null);
          }}
          aria-invalid={problem != null || undefined}
          data-testid="budget-input"
        />
        <Button type="submit" busy={save.isPending} disabled={text.trim() === currentText} data-testid="budget-save">
          Save budget
        </Button>
        {problem ? <span className="field-error small">{problem}</span> : null}
      </div>
      <ErrorNotice error={save.error} />
    </form>
  );
}

function PriceEditor({ row, onDone }: { row: PriceRow | null; onDone: () => void }) {
  const [p, setP] = useState<PriceInput>(
    row
      ? {
          model: row.model,
          input_usd_per_mtok: row.input_usd_per_mtok,
          output_usd_per_mtok: row.output_usd_per_mtok,
          cached_usd_per_mtok: row.cached_usd_per_mtok,
        }
      : { model: "", input_usd_per_mtok: "", output_usd_per_mtok: "", cached_usd_per_mtok: "" },
  );
  const save = useSetPrice();
  const toast = useToast();
  const field = (k: keyof PriceInput, label: string) =>
    k === "model" && row != null ? (
      <td className="mono nowrap">{row.model}</td>
    ) : (
      <td>
        <input
          className="input"
          aria-label={label}
          value={p[k] ?? ""}
          readOnly={k === "model" && row != null}
          onChange={(e) => setP({ ...p, [k]: e.target.value })}
          inputMode={k === "model" ? "text" : "decimal"}
          placeholder={k === "model" ? "model name" : k === "cached_usd_per_mtok" ? "same as input" : "0.00"}
        />
      </td>
    );
  return (
    <>
      <tr>
        {field("model", "Model")}
        {field("input_usd_per_mtok", "Text sent, dollars per million tokens")}
        {field("output_usd_per_mtok", "Text written, dollars per million tokens")}
        {field("cached_usd_per_mtok", "Repeated text (cheaper), dollars per million tokens")}
        <td colSpan={3}>
          <div className="row tight">
            <Button
              size="sm"
              variant="primary"
              busy={save.isPending}
              disabled={!p.model.trim() || !p.input_usd_per_mtok.trim() || !p.output_usd_per_mtok.trim()}
              onClick={() =>
                save.mutate(
                  { ...p, model: p.model.trim() },
                  {
                    onSuccess: () => {
                      toast.ok("Price saved. Past costs keep the prices they were charged at.");
                      onDone();
                    },
                  },
                )
              }
            >
              Save
            </Button>
            <Button size="sm" variant="ghost" onClick={onDone}>
              Cancel
            </Button>
          </div>
        </td>
      </tr>
      {save.error ? (
        <tr>
          <td colSpan={7}>
            <ErrorNotice error={save.error} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function PriceTable() {
  const prices = usePrices();
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Card
      title="Prices"
      lead="Dollars per million tokens, used to work out every cost. Edit them when Google changes its prices; past costs keep the prices they were charged at."
      actions={
        <Button size="sm" onClick={() => setEditing("")}>
          Add a model
        </Button>
      }
    >
      {prices.isLoading ? <Loading /> : null}
      <ErrorNotice error={prices.error} />
      <div className="table-wrap">
        <table className="table" data-testid="price-table">
          <thead>
            <tr>
              <th>Model</th>
              <th className="num" title="Input tokens: the text the AI reads">
                Text sent
              </th>
              <th className="num" title="Output tokens: the text the AI writes (thinking included)">
                Text written
              </th>
              <th className="num" title={termTitle("repeatedText")}>
                Repeated text
              </th>
              <th className="num" title="Google's Batch API: half price, answered within hours">
                Half-price runs (sent / written)
              </th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {editing === "" ? <PriceEditor row={null} onDone={() => setEditing(null)} /> : null}
            {(prices.data ?? []).map((r) =>
              editing === r.model ? (
                <PriceEditor key={r.model} row={r} onDone={() => setEditing(null)} />
              ) : (
                <tr key={r.model}>
                  <td className="mono nowrap">{r.model}</td>
                  <td className="num">${r.input_usd_per_mtok}</td>
                  <td className="num">${r.output_usd_per_mtok}</td>
                  <td className="num">${r.cached_usd_per_mtok}</td>
                  <td className="num" title={r.batch_source}>
                    {r.batch_input_usd_per_mtok ? `$${r.batch_input_usd_per_mtok} / $${r.batch_output_usd_per_mtok}` : "—"}
                  </td>
                  <td className="muted small">{r.effective_from > 0 ? `${formatDay(r.effective_from)} (${r.source})` : r.source}</td>
                  <td className="num">
                    <Button size="sm" variant="ghost" onClick={() => setEditing(r.model)}>
                      Edit
                    </Button>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function Logs() {
  const logs = useLogs(200);
  const reveal = useRevealFolder();
  const toast = useToast();
  return (
    <Card
      title="Logs"
      lead="What the app did recently. If something goes wrong, these lines help whoever is helping you."
      actions={
        <>
          <Button size="sm" icon={<IconRefresh />} onClick={() => void logs.refetch()} busy={logs.isFetching}>
            Refresh
          </Button>
          {insideTauri() ? (
            <Button size="sm" icon={<IconFolder />} onClick={() => reveal.mutate("logs", { onError: (e) => toast.error(e) })}>
              Show log folder
            </Button>
          ) : null}
        </>
      }
    >
      <ErrorNotice error={logs.error} />
      {logs.data ? (
        logs.data.lines.length === 0 ? (
          <p className="muted">Nothing logged yet.</p>
        ) : (
          <pre className="logs" data-testid="logs" tabIndex={0}>
            {logs.data.lines.map((l, i) => (
              <div key={i} className={/\b(WARN)\b/.test(l) ? "warn" : /\b(ERROR)\b/.test(l) ? "error" : undefined}>
                {l}
              </div>
            ))}
          </pre>
        )
      ) : (
        <Loading />
      )}
      {logs.data ? <p className="muted small mono">{logs.data.path}</p> : null}
    </Card>
  );
}

function CheckKey() {
  const check = useCheckKey();
  return (
    <div className="row tight">
      <Button size="sm" busy={check.isPending} onClick={() => check.mutate()} data-testid="key-check">
        Check the key now
      </Button>
      {check.data ? (
        <span className="muted small" data-testid="key-check-result">
          Works: it can use {plural(check.data.models.length, "model")}.
        </span>
      ) : null}
      <ErrorNotice error={check.error} />
    </div>
  );
}

/** The key goes to a changed server only once the person confirms it for the host shown
 * (the address may have come with a database file from someone else). */
function GeminiServerNotice({ limits }: { limits: LimitSettings | undefined }) {
  const confirm = useConfirmGeminiServer();
  const toast = useToast();
  if (limits?.gemini_server_problem) {
    return (
      <Notice kind="error" title="The Gemini server address is not allowed." testId="gemini-server-problem">
        {limits.gemini_server_problem}
      </Notice>
    );
  }
  if (!limits?.gemini_server_needs_confirmation) return null;
  const host = limits.gemini_server_host ?? "";
  return (
    <Notice kind="warn" title={`Send your Gemini key to ${host}?`} testId="gemini-server-confirm-notice">
      <p>
        The Gemini server address is <span className="mono">{host}</span>, not Google's. Your key is not sent there until you confirm. Confirm only if you set
        this address yourself; otherwise choose “Use Google's” below.
      </p>
      <div className="row tight">
        <Button
          variant="primary"
          busy={confirm.isPending}
          onClick={() => confirm.mutate(undefined, { onSuccess: () => toast.ok(`Your key will be sent to ${host}.`) })}
          data-testid="gemini-server-confirm"
        >
          Send my key to {host}
        </Button>
      </div>
      <ErrorNotice error={confirm.error} />
    </Notice>
  );
}

/** Advanced: point the app at another Gemini server (the project's tests use a fake one). */
function GeminiServer({ current, host }: { current: string | undefined; host: string | undefined }) {
  const save = useSetGeminiBaseUrl();
  const toast = useToast();
  const [url, setUrl] = useState(current ?? "");
  useEffect(() => setUrl(current ?? ""), [current]);
  return (
    <Fold title="Advanced: AI service address (Gemini API base URL)" testId="gemini-server-fold">
      <p className="muted small">
        Leave as it is unless someone helping you asks you to change it. Your key is sent to{" "}
        <span className="mono" data-testid="gemini-server-host">
          {host}
        </span>
        . Addresses must start with https:// (http:// only for this computer).
      </p>
      <form
        className="row tight"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(url.trim() || null, { onSuccess: () => toast.ok("Gemini server saved.") });
        }}
      >
        <input
          className="input grow mono"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-label="Gemini server address"
          spellCheck={false}
          data-testid="gemini-base-url-input"
        />
        <Button type="submit" busy={save.isPending} data-testid="gemini-base-url-save">
          Save
        </Button>
        <Button variant="ghost" onClick={() => save.mutate(null, { onSuccess: () => toast.ok("Back to Google's server.") })}>
          Use Google's
        </Button>
      </form>
      <ErrorNotice error={save.error} />
    </Fold>
  );
}

export function SettingsScreen() {
  const keys = useKeyStatus();
  const limits = useLimits();
  const info = useAppInfo();
  const reveal = useRevealFolder();
  const toast = useToast();
  const status = (s: string) => keys.data?.find((k) => k.secret === s);

  return (
    <div className="page medium">
      <PageHeader title="Settings" />

      <AppearanceCard />

      <Card title="Keys" lead="Kept in your computer's keychain. They are never shown again in full.">
        {keys.isLoading ? <Loading /> : null}
        <ErrorNotice error={keys.error} onRetry={() => void keys.refetch()} />
        <KeyForm secret="gemini" status={status("gemini")} />
        {status("gemini")?.set ? <CheckKey /> : null}
        <hr className="faint" style={{ border: 0, borderTop: "1px solid var(--border)", margin: 0 }} />
        <KeyForm secret="apify" status={status("apify")} />
        <hr style={{ border: 0, borderTop: "1px solid var(--border)", margin: 0 }} />
        <KeyForm secret="x-bearer" status={status("x-bearer")} />
      </Card>

      <Card title="Gemini plan and model" lead="How fast runs may go, and which model writes the drafts by default.">
        {limits.data ? <TierPicker current={limits.data} /> : <Loading />}
        {limits.data?.learned ? (
          <p className="muted small" data-testid="limits-learned">
            {limits.data.learned} Runs plan with it.
          </p>
        ) : null}
        <ErrorNotice error={limits.error} />
        <BudgetForm />
        <GeminiServerNotice limits={limits.data} />
        <GeminiServer current={limits.data?.gemini_base_url} host={limits.data?.gemini_server_host} />
      </Card>

      <PriceTable />

      <Card title="Your data" lead="Projects, posts, replies and the cost history live in one file on this computer.">
        {info.data ? (
          <div className="stack tight">
            <div className="row tight">
              <span className="mono grow" data-testid="data-folder">
                {info.data.data_dir}
              </span>
              {insideTauri() ? (
                <Button size="sm" icon={<IconFolder />} onClick={() => reveal.mutate("data", { onError: (e) => toast.error(e) })}>
                  Show in folder
                </Button>
              ) : null}
            </div>
            <Fold title="Advanced">
              <p className="small">
                Database: <span className="mono">{info.data.database_path}</span>
              </p>
              <p className="small">
                Logs: <span className="mono">{info.data.log_dir}</span>
              </p>
              <p className="small muted">Version {info.data.version}</p>
            </Fold>
          </div>
        ) : (
          <Loading />
        )}
      </Card>

      <Logs />
    </div>
  );
}

function AppearanceCard() {
  const [theme, setTheme] = useState<ThemeChoice>(savedTheme());
  const pick = (t: ThemeChoice) => {
    setTheme(t);
    chooseTheme(t);
  };
  return (
    <Card title="Appearance" lead="Light or dark. “Match the system” follows your computer's setting.">
      <Segmented
        label="Theme"
        value={theme}
        onChange={pick}
        options={[
          { value: "system", label: "Match the system" },
          { value: "light", label: "Light" },
          { value: "dark", label: "Dark" },
        ]}
        testId="theme"
      />
    </Card>
  );
}
