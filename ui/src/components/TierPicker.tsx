// Which Gemini plan the person has: sets how fast runs may go so Google never has to refuse.

import { useEffect, useState } from "react";
import type { LimitSettings, Limits, Tier } from "../api";
import { formatInt } from "../lib/format";
import { GLOSSARY, termTitle } from "../lib/glossary";
import { useModels, useSetTier } from "../lib/queries";
import { useToast } from "./toast";
import { Button, ErrorNotice, Field, Fold, NumberInput } from "./ui";

const TIERS: Array<{ tier: Tier; title: string; text: string }> = [
  { tier: "free", title: "Free", text: "No billing set up in Google AI Studio. Slower, with a daily cap." },
  { tier: "tier1", title: GLOSSARY.paidPlan.words, text: "Billing is turned on for your Google project (Google calls it “paid tier 1”)." },
  { tier: "custom", title: "Custom limits", text: "Google gave you other numbers: type them in." },
];

export function limitsWords(l: Limits): string {
  const parts = [`${formatInt(l.rpm)} AI calls a minute`];
  if (l.rpd != null) parts.push(`${formatInt(l.rpd)} a day`);
  return parts.join(", ");
}

export function TierPicker({ current, onSaved }: { current: LimitSettings; onSaved?: () => void }) {
  const [tier, setTier] = useState<Tier>(current.tier);
  const [model, setModel] = useState(current.model);
  const [custom, setCustom] = useState<Limits>(current.custom ?? current.limits);
  const models = useModels();
  const save = useSetTier();
  const toast = useToast();

  useEffect(() => {
    setTier(current.tier);
    setModel(current.model);
    setCustom(current.custom ?? current.limits);
  }, [current]);

  const dirty = tier !== current.tier || model !== current.model || (tier === "custom" && JSON.stringify(custom) !== JSON.stringify(current.limits));
  const customValid = Number.isFinite(custom.rpm) && custom.rpm >= 1;

  return (
    <div className="stack">
      <div className="choice-cards" role="radiogroup" aria-label="Your Gemini plan">
        {TIERS.map((t) => (
          <button
            key={t.tier}
            type="button"
            role="radio"
            aria-checked={tier === t.tier}
            className="choice-card"
            onClick={() => setTier(t.tier)}
            data-testid={`tier-${t.tier}`}
          >
            <strong>{t.title}</strong>
            <span>{t.text}</span>
          </button>
        ))}
      </div>
      {tier === "custom" ? (
        <div className="grid-3">
          <Field label={<span title={termTitle("callsPerMinute")}>{GLOSSARY.callsPerMinute.words}</span>} htmlFor="lim-rpm">
            <NumberInput id="lim-rpm" value={custom.rpm} min={1} onChange={(v) => setCustom({ ...custom, rpm: v })} testId="limit-rpm" />
          </Field>
          <Field label="Requests a day" hint="Leave empty for no daily cap" htmlFor="lim-rpd">
            <NumberInput id="lim-rpd" value={custom.rpd ?? Number.NaN} min={1} onChange={(v) => setCustom({ ...custom, rpd: Number.isFinite(v) ? v : null })} />
          </Field>
          <Field label={<span title={termTitle("textPerMinute")}>{GLOSSARY.textPerMinute.words}</span>} hint="Leave empty if you don't know" htmlFor="lim-tpm">
            <NumberInput id="lim-tpm" value={custom.tpm ?? Number.NaN} min={1} onChange={(v) => setCustom({ ...custom, tpm: Number.isFinite(v) ? v : null })} />
          </Field>
        </div>
      ) : (
        <p className="muted small">
          {tier === current.tier && model === current.model
            ? `Runs will use up to ${limitsWords(current.limits)}.`
            : "The published limits for this plan are used."}
        </p>
      )}
      <Fold title="Advanced: model">
        <Field
          label="Model for reply drafts"
          hint="Flash is fast and cheap and writes good replies. Pro is slower and costs about four times more."
          htmlFor="tier-model"
        >
          <select id="tier-model" className="select" value={model} onChange={(e) => setModel(e.target.value)}>
            {(models.data ?? [model]).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
      </Fold>
      <div className="row">
        <Button
          variant="primary"
          busy={save.isPending}
          disabled={!dirty || (tier === "custom" && !customValid)}
          data-testid="tier-save"
          onClick={() =>
            save.mutate(
              { tier, model, custom: tier === "custom" ? custom : null },
              {
                onSuccess: () => {
                  toast.ok("Plan saved.");
                  onSaved?.();
                },
              },
            )
          }
        >
          Save plan
        </Button>
        {!dirty ? <span className="muted small">Saved.</span> : null}
      </div>
      <ErrorNotice error={save.error} />
    </div>
  );
}
